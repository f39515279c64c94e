"""A GAN configuration small enough to fit in well under a second."""

from isgan_sk import ImportanceSampledGAN


def make_small_gan(**params):
    """Return an ImportanceSampledGAN with tiny networks and two epochs.

    The tests that use it check the API contract, not sample quality.
    """
    defaults = dict(max_epochs=2, batch_size=16, latent_dim=4, random_state=0)
    # Nested widths apply to the default network classes only.
    for name in ("generator", "discriminator"):
        if name not in params:
            defaults[f"{name}__hidden_units"] = (16,)
    defaults.update(params)
    return ImportanceSampledGAN(**defaults)
