import numpy as np
import pytest
import torch

from isgan_sk import ImportanceSampledGAN
from isgan_sk._losses import LOSSES, BCELoss, GANLoss, WassersteinGPLoss, get_loss

torch.set_num_threads(1)

# Logits spread over [-3, 3] that avoid the hinge kinks at -1 and 1, where
# the derivative is a subgradient choice.
LOGITS = torch.tensor([-2.7, -1.3, -0.4, 0.0, 0.3, 0.8, 1.6, 2.9], dtype=torch.float64)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("term", ["real", "fake"])
def test_loss_derivative_matches_autograd(name, term):
    loss = get_loss(name)
    logits = LOGITS.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(getattr(loss, term)(logits).sum(), logits)
    closed_form = getattr(loss, f"{term}_grad")(LOGITS)
    # float64 closed forms against autograd: only rounding separates them.
    torch.testing.assert_close(closed_form, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_larger_logit_means_more_real(name):
    loss = get_loss(name)
    # The discriminator loss of a real row falls and that of a generated row
    # rises with the logit; the top-k generator update relies on it.
    assert torch.all(torch.diff(loss.real(LOGITS)) <= 0)
    assert torch.all(torch.diff(loss.fake(LOGITS)) >= 0)
    assert torch.all(torch.diff(loss.generator(LOGITS)) <= 0)


def test_get_loss_returns_instance_unchanged():
    loss = WassersteinGPLoss(penalty_weight=3.0)
    assert get_loss(loss) is loss


def test_get_loss_rejects_unknown_name():
    with pytest.raises(ValueError, match="The loss must be one of .* Got 'lsgan'"):
        get_loss("lsgan")


def test_gan_loss_penalty_defaults_to_none():
    assert BCELoss().penalty(None, None, None, None) is None
    assert GANLoss().penalty(None, None, None, None) is None


def _linear_critic(weight):
    critic = torch.nn.Linear(weight.numel(), 1).double()
    with torch.no_grad():
        critic.weight.copy_(weight[None])
        critic.bias.fill_(0.5)
    return critic


def test_wasserstein_penalty_of_linear_critic():
    # A linear critic has the input gradient w at every point, so each
    # pair's penalty is lambda * (||w|| - 1)^2 wherever the point falls.
    weight = torch.tensor([3.0, 4.0], dtype=torch.float64)
    critic = _linear_critic(weight)
    real = torch.randn(6, 2, dtype=torch.float64)
    fake = torch.randn(6, 2, dtype=torch.float64)
    penalty = WassersteinGPLoss(penalty_weight=10.0).penalty(
        critic, real, fake, torch.Generator().manual_seed(0)
    )
    expected = torch.full((6,), 10.0 * (5.0 - 1.0) ** 2, dtype=torch.float64)
    torch.testing.assert_close(penalty, expected, rtol=1e-12, atol=1e-12)


def test_wasserstein_penalty_gradient_reaches_critic():
    # d/dw of lambda * (||w|| - 1)^2 is 2 lambda (||w|| - 1) w / ||w||, per pair.
    weight = torch.tensor([3.0, 4.0], dtype=torch.float64)
    critic = _linear_critic(weight)
    real = torch.randn(5, 2, dtype=torch.float64)
    fake = torch.randn(5, 2, dtype=torch.float64)
    penalty = WassersteinGPLoss(penalty_weight=2.0).penalty(
        critic, real, fake, torch.Generator().manual_seed(0)
    )
    (weight_grad,) = torch.autograd.grad(penalty.sum(), critic.weight)
    expected = 5 * 2 * 2.0 * (5.0 - 1.0) * weight / 5.0
    torch.testing.assert_close(weight_grad[0], expected, rtol=1e-12, atol=1e-12)


class _HalfSquaredNorm(torch.nn.Module):
    """Critic ``D(x) = ||x||^2 / 2``, whose input gradient is ``x`` itself."""

    def forward(self, X):
        return 0.5 * X.square().sum(dim=1)


def test_wasserstein_penalty_uses_points_between_rows():
    # With D(x) = ||x||^2 / 2 the penalty reveals the point: lambda (|x| - 1)^2.
    # Real rows at 0 and generated rows at 1 put every point in [0, 1], so
    # the penalty lies in [0, lambda] and differs between pairs.
    real = torch.zeros(200, 1, dtype=torch.float64)
    fake = torch.ones(200, 1, dtype=torch.float64)
    penalty = WassersteinGPLoss(penalty_weight=10.0).penalty(
        _HalfSquaredNorm(), real, fake, torch.Generator().manual_seed(0)
    )
    assert penalty.min() >= 0.0
    assert penalty.max() <= 10.0
    assert penalty.std() > 0.0


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_estimator_accepts_loss_name(name, X_small):
    gan = ImportanceSampledGAN(
        loss=name,
        max_epochs=1,
        batch_size=16,
        latent_dim=4,
        random_state=0,
        generator__hidden_units=(16,),
        discriminator__hidden_units=(16,),
    ).fit(X_small)
    assert gan.loss_.name == name
    assert np.isfinite(gan.history_[-1, "d_loss"])
