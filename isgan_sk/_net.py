"""The skorch net that trains a generator and a discriminator."""

import copy
import functools
import inspect

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import EpochTimer, PrintLog

from .networks import discriminator_logits

__all__ = ["GANNet"]

# Adam's default first-moment decay of 0.9 makes GAN training oscillate;
# 0.5 is the value most GAN recipes use since DCGAN.
ADAM_GAN_BETAS = (0.5, 0.999)


def _instantiate(component, kwargs, name):
    """Build a module from a class or copy a module instance.

    An instance is deep-copied so that training never changes the user's
    object; nested parameters cannot apply to it.
    """
    if isinstance(component, torch.nn.Module):
        if kwargs:
            raise ValueError(
                f"The nested parameters {sorted(kwargs)} cannot be applied because "
                f"'{name}' is an instance of {type(component).__name__}. Pass the "
                "class instead, or set the arguments on the instance."
            )
        return copy.deepcopy(component)
    return component(**kwargs)


class GANNet(NeuralNet):
    """skorch net with two modules, two optimizers and a GAN training loop.

    :class:`~isgan_sk.ImportanceSampledGAN` builds this net in ``fit`` and
    exposes it as ``estimator.net_``. Skorch callbacks, the history,
    ``save_params`` and ``load_params`` work on it as in any skorch net. The
    modules are ``generator_`` and ``discriminator_``, the optimizers
    ``optimizer_generator_`` and ``optimizer_discriminator_``, and skorch
    routes the nested parameters ``generator__*``, ``discriminator__*``,
    ``optimizer_generator__*`` and ``optimizer_discriminator__*`` to them.

    One epoch is ``ceil(n_samples / batch_size)`` discriminator steps, so
    the discriminator trains on as many pairs per epoch as there are rows,
    whatever the sampler's pool size. Every ``n_critic``-th discriminator
    step is followed by one generator step.
    """

    def __init__(
        self,
        generator,
        discriminator,
        *,
        sampler,
        loss,
        latent_dim,
        n_features,
        n_classes=0,
        n_critic=1,
        optimizer_generator=torch.optim.Adam,
        optimizer_discriminator=torch.optim.Adam,
        lr=2e-4,
        max_epochs=100,
        batch_size=64,
        callbacks=None,
        warm_start=False,
        verbose=0,
        device="cpu",
        seed=0,
        **kwargs,
    ):
        # Modules passed as instances must be stored before skorch's
        # __init__ marks the net as constructed, after which skorch accepts
        # torch components only inside the initialize_* methods.
        self.generator = generator
        self.discriminator = discriminator
        self.sampler = sampler
        self.loss = loss
        self.latent_dim = latent_dim
        self.n_features = n_features
        self.n_classes = n_classes
        self.n_critic = n_critic
        self.optimizer_generator = optimizer_generator
        self.optimizer_discriminator = optimizer_discriminator
        self.seed = seed
        super().__init__(
            module=generator,
            criterion=None,
            optimizer=optimizer_generator,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=None,
            callbacks=callbacks,
            warm_start=warm_start,
            verbose=verbose,
            device=device,
            **kwargs,
        )

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("print_log", PrintLog()),
        ]

    def initialize_module(self):
        generator_kwargs = self.get_params_for("generator")
        discriminator_kwargs = self.get_params_for("discriminator")
        # ``n_classes`` reaches the constructors of a conditional GAN only, so
        # modules written for unconditional data need not accept it.
        label_kwargs = {"n_classes": self.n_classes} if self.n_classes else {}
        if not isinstance(self.generator, torch.nn.Module):
            generator_kwargs = {
                "latent_dim": self.latent_dim,
                "n_features": self.n_features,
                **label_kwargs,
                **generator_kwargs,
            }
        if not isinstance(self.discriminator, torch.nn.Module):
            discriminator_kwargs = {
                "n_features": self.n_features,
                **label_kwargs,
                **discriminator_kwargs,
            }
        self.generator_ = _instantiate(self.generator, generator_kwargs, "generator")
        self.discriminator_ = _instantiate(
            self.discriminator, discriminator_kwargs, "discriminator"
        )
        return self

    def initialize_criterion(self):
        # The adversarial loss is ``self.loss``, applied per logit in
        # ``discriminator_step`` and ``generator_step``.
        return self

    def initialize_optimizer(self, triggered_directly=None):
        for name in ("generator", "discriminator"):
            prefix = f"optimizer_{name}"
            module = getattr(self, f"{name}_")
            args, kwargs = self.get_params_for_optimizer(prefix, module.named_parameters())
            optimizer_class = getattr(self, prefix)
            if optimizer_class is torch.optim.Adam:
                kwargs.setdefault("betas", ADAM_GAN_BETAS)
            try:
                optimizer = optimizer_class(*args, **kwargs)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"The parameters of {prefix} ({optimizer_class.__name__}) are "
                    f"invalid: {error}. Check {prefix}__* and lr."
                ) from error
            setattr(self, f"{prefix}_", optimizer)
        return self

    def initialize_history(self):
        super().initialize_history()
        # The training stream and the step count continue across
        # ``partial_fit`` calls and restart with the history.
        self._rng_state = None
        self._n_discriminator_steps = 0
        return self

    def check_data(self, X, y=None):
        if not isinstance(X, torch.Tensor) or X.ndim != 2:
            raise TypeError("GANNet trains on a 2-D float tensor of scaled rows.")

    def _training_generator(self):
        rng = torch.Generator()
        if getattr(self, "_rng_state", None) is None:
            rng.manual_seed(self.seed)
        else:
            rng.set_state(self._rng_state)
        return rng

    def _latent(self, n_samples, rng):
        z = torch.randn(n_samples, self.latent_dim, generator=rng)
        return z.to(self.device)

    def with_labels(self, rows, labels):
        """Append the one-hot ``labels`` to ``rows``; return ``rows`` when labels is None.

        A conditional GAN feeds its networks such widened rows: the
        generator gets ``[z, one_hot(y)]`` and the discriminator
        ``[x, one_hot(y)]``.
        """
        if labels is None:
            return rows
        one_hot = torch.nn.functional.one_hot(labels.to(rows.device), self.n_classes)
        return torch.cat([rows, one_hot.to(rows.dtype)], dim=1)

    def generate(self, latent, labels=None):
        """Return the generator's rows for ``latent`` noise and optional class indices."""
        return self.generator_(self.with_labels(latent.to(self.device), labels))

    def _select(self, sampler, real, fake, rng, labels):
        kwargs = {}
        if _accepts_keyword(type(sampler).select, "loss"):
            kwargs["loss"] = self.loss
        if labels is not None and _accepts_keyword(type(sampler).select, "labels"):
            kwargs["labels"] = labels
        return sampler.select(self.discriminator_, real, fake, self.batch_size, rng, **kwargs)

    def discriminator_loss(self, X, labels, rng, sampler=None):
        """Return the weighted discriminator loss of one minibatch and its diagnostics.

        ``sampler`` defaults to the net's sampler; the benchmark passes
        others to measure the gradient variance they give.
        """
        sampler = self.sampler if sampler is None else sampler
        pool_size = sampler.pool_size(self.batch_size)
        real_index = torch.randint(X.shape[0], (pool_size,), generator=rng).to(X.device)
        pool_labels = None if labels is None else labels[real_index]

        # The generated pool is drawn without gradients: this step updates
        # the discriminator only. In a conditional GAN it carries the real
        # pool's labels, row by row, so that pairs can share a class.
        with torch.no_grad():
            fake = self.generate(self._latent(pool_size, rng), pool_labels)
        real = self.with_labels(X[real_index], pool_labels)
        fake = self.with_labels(fake, pool_labels)
        selection = self._select(sampler, real, fake, rng, pool_labels)

        # Each pair's loss is multiplied by its importance weight, so the
        # mean below is an unbiased estimate of the pool's mean pair loss.
        # A strategy that draws the two sides separately weights each side
        # on its own, and a penalty of both rows by the product.
        real_weights = selection.weights
        fake_weights = getattr(selection, "fake_weights", None)
        if fake_weights is None:
            fake_weights = penalty_weights = real_weights
        else:
            penalty_weights = real_weights * fake_weights
        weighted_loss = real_weights * self.loss.real(
            discriminator_logits(self.discriminator_, selection.real)
        ) + fake_weights * self.loss.fake(
            discriminator_logits(self.discriminator_, selection.fake)
        )
        penalty = self.loss.penalty(self.discriminator_, selection.real, selection.fake, rng)
        if penalty is not None:
            weighted_loss = weighted_loss + penalty_weights * penalty
        return weighted_loss.mean(), selection.diagnostics

    def discriminator_step(self, X, labels, rng):
        """Run one discriminator update and return its loss and diagnostics."""
        loss, diagnostics = self.discriminator_loss(X, labels, rng)
        self.optimizer_discriminator_.zero_grad()
        loss.backward()
        self.optimizer_discriminator_.step()
        return loss.detach(), diagnostics

    def generator_step(self, labels, rng):
        """Run one generator update and return its loss and diagnostics.

        In a conditional GAN the generated rows get labels drawn from the
        training labels, so classes appear with their training frequencies.
        """
        # Freezing the discriminator saves the gradients of its weights,
        # which this step would compute and then throw away.
        self.discriminator_.requires_grad_(False)
        try:
            weights, diagnostics = None, {}
            selects = getattr(self.sampler, "selects_generator_batch", False)
            pool_size = (
                self.sampler.generator_pool_size(self.batch_size) if selects else self.batch_size
            )
            latent = self._latent(pool_size, rng)
            fake_labels = None
            if labels is not None:
                label_index = torch.randint(labels.shape[0], (pool_size,), generator=rng)
                fake_labels = labels[label_index.to(labels.device)]
            if selects:
                # The strategy looks at the generated pool without gradients
                # and returns the rows to train on; only those rows are
                # generated again with gradients.
                with torch.no_grad():
                    pool = self.with_labels(self.generate(latent, fake_labels), fake_labels)
                selection = self.sampler.select_generator(
                    self.discriminator_, pool, self.batch_size, rng, loss=self.loss
                )
                index = selection.index.to(latent.device)
                latent = latent[index]
                fake_labels = None if fake_labels is None else fake_labels[index]
                weights, diagnostics = selection.weights, selection.diagnostics
            fake = self.with_labels(self.generate(latent, fake_labels), fake_labels)
            row_loss = self.loss.generator(discriminator_logits(self.discriminator_, fake))
            loss = row_loss.mean() if weights is None else (weights * row_loss).mean()
            self.optimizer_generator_.zero_grad()
            loss.backward()
            self.optimizer_generator_.step()
        finally:
            self.discriminator_.requires_grad_(True)
        return loss.detach(), diagnostics

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self.check_data(X)
        epochs = self.max_epochs if epochs is None else epochs
        n_steps = -(-X.shape[0] // self.batch_size)
        rng = self._training_generator()

        # A callback ends training early by setting ``stop_training_``;
        # the loop then still saves its random stream for later calls.
        self.stop_training_ = False
        for _ in range(epochs):
            self.notify("on_epoch_begin", dataset_train=X, dataset_valid=None)
            self._set_training(True)
            epoch = {"d_loss": [], "g_loss": [], "diagnostics": {}}
            for _ in range(n_steps):
                self.notify("on_batch_begin", batch=(X,), training=True)
                d_loss, diagnostics = self.discriminator_step(X, y, rng)
                self.history.record_batch("d_loss", d_loss.item())
                epoch["d_loss"].append(d_loss.item())
                for key, value in diagnostics.items():
                    epoch["diagnostics"].setdefault(key, []).append(float(value))
                self._n_discriminator_steps += 1
                if self._n_discriminator_steps % self.n_critic == 0:
                    g_loss, diagnostics = self.generator_step(y, rng)
                    self.history.record_batch("g_loss", g_loss.item())
                    epoch["g_loss"].append(g_loss.item())
                    for key, value in diagnostics.items():
                        epoch["diagnostics"].setdefault(f"g_{key}", []).append(float(value))
                self.notify("on_batch_end", batch=(X,), training=True, loss=d_loss)

            self.history.record("d_loss", float(np.mean(epoch["d_loss"])))
            if epoch["g_loss"]:
                self.history.record("g_loss", float(np.mean(epoch["g_loss"])))
            for key, values in epoch["diagnostics"].items():
                self.history.record(key, float(np.mean(values)))
            self.notify("on_epoch_end", dataset_train=X, dataset_valid=None)
            if self.stop_training_:
                break

        self._rng_state = rng.get_state()
        return self


@functools.lru_cache(maxsize=None)
def _accepts_keyword(function, name):
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        parameter.name == name or parameter.kind is parameter.VAR_KEYWORD
        for parameter in parameters
    )
