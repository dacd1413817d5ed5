"""Measured transferability from transformed MNIST to USPS, against OTDD.

Alvarez-Melis & Fusi, "Geometric Dataset Distances via Optimal Transport"
(NeurIPS 2020), Sec. 6 (augmentation experiment; the MSR blog's third figure):
pretrain a LeNet-5 on a source, fine-tune on a small labeled target sample, and
compare with the same network trained on that sample alone; the relative drop in
test error brought by pretraining should fall as OTDD(source, target) grows
(the paper reports Pearson r = -0.85 for MNIST augmentations -> USPS).

Here the source is an MNIST (train) sample passed through one (transformation,
magnitude) of :mod:`dsviz.data.transforms` (or untouched: "plain MNIST"), the target
USPS resized to 28 x 28. For every setting and seed ``s``:

    acc_ft(setting, s)  = USPS-test accuracy after pretraining on the transformed
                          MNIST sample, replacing the classifier by a fresh one
                          (the authors' ``_init_classifier``) and fine-tuning the
                          whole network on the USPS sample,
    acc_scratch(s)      = the same network trained on the same USPS sample alone,
                          same optimiser, epochs and batch order,
    drop(setting, s)    = 100 (err_scratch - err_ft) / err_scratch   (the paper's
                          measure, :mod:`dsviz.studies.transfer_stats`; err = 1 - acc),
    gain(setting, s)    = acc_ft - acc_scratch (accuracy points, kept for reference),

reported as the mean and standard deviation (ddof = 1) over seeds; the seed
draws both samples, the transformation's randomness, the initial weights and the
batch order. The network is the authors' (``otdd/pytorch/nets.py``). Every run
is cached, so an interrupted study resumes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch

from dsviz import methods
from dsviz.data import LabeledImages, load
from dsviz.data.transforms import TRANSFORMS, check_transform, transform_images
from dsviz.nets import estimate_train_seconds, init_model, reset_classifier, torch_threads
from dsviz.runtime.cache import Cache, cache_key, cached, fingerprint
from dsviz.runtime.codec import decoder, encode
from dsviz.runtime.device import resolve_device
from dsviz.runtime.progress import Progress
from dsviz.studies.augment_otdd import load_pair, transformed_otdd
from dsviz.studies.transfer_protocol import PROTOCOL, TrainingBudget, cached_accuracy
from dsviz.studies.transfer_stats import correlations as correlation_stats
from dsviz.studies.transfer_stats import detectable_correlation, relative_error_drop, seed_summary

PLAIN = "none"
"""Transformation name of the untransformed MNIST setting."""


@dataclass(frozen=True)
class Setting:
    """One source dataset: MNIST under ``transform`` at ``magnitude`` (``PLAIN``: untouched)."""

    transform: str
    magnitude: float

    @property
    def label(self) -> str:
        if self.transform == PLAIN:
            return "plain MNIST"
        spec = TRANSFORMS[self.transform]
        return f"{spec.label} {self.magnitude:g}"

    def apply(self, images: np.ndarray, seed: int, device: str | torch.device) -> np.ndarray:
        """The source images of this setting (plain MNIST returns ``images`` unchanged)."""
        if self.transform == PLAIN:
            return images
        return transform_images(images, self.transform, self.magnitude, seed=seed, device=device)


DEFAULT_SETTINGS: tuple[Setting, ...] = (
    Setting(PLAIN, 0.0),
    Setting("rotation", 45),
    Setting("rotation", 90),
    Setting("rotation", 180),
    Setting("crop", 0.2),
    Setting("crop", 0.4),
    Setting("translation", 4),
    Setting("translation", 8),
    Setting("zoom", 0.3),
    Setting("zoom", 0.6),
    Setting("blur", 2),
    Setting("blur", 4),
    Setting("noise", 0.5),
    Setting("noise", 1),
    Setting("elastic", 3),
)
"""Plain MNIST and 14 (transformation, magnitude) settings, all on the magnitude grids."""


@dataclass(frozen=True)
class TransferConfig(TrainingBudget):
    """Sizes and training budget of one study (defaults: the ``precompute transfer`` run): MNIST train images to
    pretrain on, USPS train images per class to fine-tune on, USPS test images to evaluate on (``test_n`` None:
    all 2007) and the app's live-view size for the OTDD of each setting (``otdd_n``)."""


@dataclass
class SeedData:
    """The samples one seed uses: MNIST to pretrain on, USPS to fine-tune on and to test on."""

    seed: int
    mnist: LabeledImages
    usps_train: LabeledImages
    usps_test: LabeledImages

    @property
    def fingerprint(self) -> str:
        return fingerprint(
            self.mnist.images,
            self.mnist.labels,
            self.usps_train.images,
            self.usps_train.labels,
            self.usps_test.images,
            self.usps_test.labels,
        )


def load_seed_data(config: TransferConfig, seed: int, data_dir: str | os.PathLike[str] | None = None) -> SeedData:
    """Draw the samples of ``seed`` (the USPS test sample is the same for every seed)."""
    return SeedData(
        seed=seed,
        mnist=load("mnist", split="train", n=config.pretrain_n, seed=seed, data_dir=data_dir),
        usps_train=load("usps", split="train", n=10 * config.finetune_per_class, seed=seed, data_dir=data_dir),
        usps_test=load("usps", split="test", n=config.test_n, seed=0, data_dir=data_dir),
    )


def scratch_accuracy(config: TransferConfig, data: SeedData, device: torch.device) -> float:
    """USPS-test accuracy of LeNet-5 trained only on the USPS sample."""
    return config.finetune(init_model(data.seed, device), data.usps_train, data.usps_test, data.seed)


def finetune_accuracy(setting: Setting, config: TransferConfig, data: SeedData, device: torch.device) -> float:
    """USPS-test accuracy after pretraining on ``setting``'s MNIST and fine-tuning on the USPS sample."""
    model = init_model(data.seed, device)
    config.pretrain(model, setting.apply(data.mnist.images, data.seed, device), data.mnist.labels, data.seed)
    # A fresh classifier (the authors' fine-tuning); the USPS phase is scratch_accuracy's (batch order included).
    reset_classifier(model, data.seed, 10)
    return config.finetune(model, data.usps_train, data.usps_test, data.seed)


def setting_otdd(
    setting: Setting,
    config: TransferConfig,
    *,
    device: str = "auto",
    cache: Cache | None = None,
    pair: tuple[LabeledImages, LabeledImages] | None = None,
) -> float:
    """OTDD(setting's MNIST, USPS) with ``config.otdd_n`` images per side (seed 0), cached.

    Plain MNIST is every transformation at magnitude 0; rotation's entry is shared with its curve.
    """
    transform, magnitude = ("rotation", 0.0) if setting.transform == PLAIN else (setting.transform, setting.magnitude)
    return transformed_otdd(
        transform, magnitude, n=config.otdd_n, seed=0, device=device, cache=cache, pair=pair
    ).result.otdd


def cached_scratch(config: TransferConfig, data: SeedData, device: torch.device, cache: Cache) -> float:
    """:func:`scratch_accuracy` of ``data``'s seed, cached (one training run)."""
    return cached_accuracy(
        cache,
        "transfer_scratch",
        {**config.run_params(), "seed": data.seed},
        data.fingerprint,
        lambda: scratch_accuracy(config, data, device),
    )


def cached_finetune(
    setting: Setting, config: TransferConfig, data: SeedData, device: torch.device, cache: Cache
) -> float:
    """:func:`finetune_accuracy` of ``setting`` and ``data``'s seed, cached (one training run)."""
    params = {
        **config.run_params(),
        "seed": data.seed,
        "transform": setting.transform,
        "magnitude": float(setting.magnitude),
    }
    return cached_accuracy(
        cache, "transfer_finetune", params, data.fingerprint, lambda: finetune_accuracy(setting, config, data, device)
    )


@dataclass
class TransferStudy:
    """Results over ``settings`` x ``config.seeds``.

    Attributes:
        settings: the source datasets, in row order.
        config: sizes and budget.
        otdd: OTDD(setting's MNIST, USPS) with ``config.otdd_n`` per side (seed 0).
        acc_finetune: settings x seeds accuracies of the fine-tuned networks.
        acc_scratch: seeds accuracies of the networks trained on USPS alone.
        seconds: wall-clock seconds of the computation (0 when read from the cache).
    """

    settings: list[Setting]
    config: TransferConfig
    otdd: np.ndarray
    acc_finetune: np.ndarray
    acc_scratch: np.ndarray
    seconds: float = 0.0
    devices: list[str] = field(default_factory=list)

    @property
    def gains(self) -> np.ndarray:
        """settings x seeds: accuracy gain ``acc_finetune - acc_scratch`` per seed (fraction)."""
        return self.acc_finetune - self.acc_scratch[None, :]

    gain_mean, gain_std = seed_summary("gains", "accuracy gain")

    @property
    def drops(self) -> np.ndarray:
        """settings x seeds: the paper's measure, relative drop in USPS test error (%) per seed."""
        return relative_error_drop(self.acc_finetune, self.acc_scratch[None, :])

    drop_mean, drop_std = seed_summary("drops", "relative drop in test error")

    def correlations(self) -> dict[str, float]:
        """:func:`dsviz.studies.transfer_stats.correlations` of OTDD and the mean relative drop in test
        error (the paper's measure; the line is drop ~ slope * OTDD + intercept, in %)."""
        return correlation_stats(self.otdd, self.drop_mean)

    def power(self) -> dict[str, float]:
        """:func:`dsviz.studies.transfer_stats.detectable_correlation` of the per-seed drops: the smallest
        |r| between OTDD and the mean drop this design detects at p < 0.05, given its measured seed noise."""
        return detectable_correlation(self.drops)

    def accuracy_gain_correlations(self) -> dict[str, float]:
        """The same statistics for the mean accuracy gain (fraction), the measure used before."""
        return correlation_stats(self.otdd, self.gain_mean)


PAPER_PEARSON_R = -0.85
"""Pearson r the paper reports for OTDD vs relative error drop, MNIST augmentations -> USPS."""


def protocol_settings(settings: Sequence[Setting], config: TransferConfig) -> dict:
    """The study's protocol in words and numbers (the ``study_settings`` of ``precompute transfer --json``)."""
    return {
        "source": f"MNIST train, {config.pretrain_n} class-balanced images per seed, transformed per setting",
        "target": f"USPS resized to 28 x 28: {config.finetune_per_class} train images per class to fine-tune, "
        f"{'all 2007' if config.test_n is None else config.test_n} test images",
        "network": "LeNet-5 of the OTDD authors' code (otdd/pytorch/nets.py, dropout 0.5)",
        "pretrain": f"{config.pretrain_epochs} epochs, Adam lr {config.lr:g}, batch {config.batch_size}",
        "finetune": f"fresh classifier, whole network trained {config.finetune_epochs} epochs on the USPS sample",
        "scratch": "same network and USPS sample, same epochs, optimiser and batch order, no pretraining",
        "measure": "relative drop in USPS test error, 100 (err_scratch - err_finetuned) / err_scratch, in %",
        "seeds": list(config.seeds),
        "otdd": f"exact OTDD, {config.otdd_n} images per side (MNIST train transformed vs USPS train), seed 0",
        "transformations": [s.label for s in settings],
        "paper_pearson_r": PAPER_PEARSON_R,
        "protocol": PROTOCOL,
    }


STUDY_FUNCTION = "transfer_study"
MOST_SEEDS_FUNCTION = "transfer_study_most_seeds"
"""Per budget (settings and config without the seeds): the stored study with the most seeds, for the page."""


def _most_seeds_key(settings: Sequence[Setting], config: TransferConfig) -> str:
    return cache_key(MOST_SEEDS_FUNCTION, _study_params(settings, replace(config, seeds=())), "most-seeds")


def most_seeded_study(
    settings: Sequence[Setting] = DEFAULT_SETTINGS,
    config: TransferConfig = TransferConfig(),
    cache: Cache | None = None,
) -> TransferStudy | None:
    """The study with ``settings`` and ``config``'s budget (any seeds) that has the most seeds, or None."""
    store = cache if cache is not None else Cache()
    found = store.load(MOST_SEEDS_FUNCTION, _most_seeds_key(settings, config))
    try:
        return None if found is None else decoder(TransferStudy)(found)
    except (KeyError, ValueError, TypeError):
        return None


def _note_seeds(study: TransferStudy, store: Cache) -> None:
    """Record ``study`` as its budget's most-seeded study when it has more seeds than the one recorded."""
    known = most_seeded_study(study.settings, study.config, store)
    if known is None or len(known.config.seeds) < len(study.config.seeds):
        store.store(MOST_SEEDS_FUNCTION, _most_seeds_key(study.settings, study.config), encode(study))


def _study_params(settings: Sequence[Setting], config: TransferConfig) -> dict:
    return {"settings": [[s.transform, float(s.magnitude)] for s in settings], "config": asdict(config)}


def _study_fingerprint(datas: Sequence[SeedData], otdd_pair: tuple[LabeledImages, LabeledImages]) -> str:
    src, tgt = otdd_pair
    return fingerprint(np.asarray([d.fingerprint for d in datas]), src.images, src.labels, tgt.images, tgt.labels)


USPS_CLASSES = 10


def estimate_study_seconds(
    settings: Sequence[Setting], config: TransferConfig, device: str | torch.device = "auto"
) -> float | None:
    """Seconds :func:`transfer_study` should take from an empty cache on ``device``, or None when unknown.

    Scaled from the last LeNet-5 training measured on this device type (:func:`dsviz.nets.estimate_train_seconds`,
    images x epochs: per seed one pretraining and one fine-tuning per setting, plus one from-scratch run) and the
    last ``otdd-exact`` measured (one per setting, ``otdd_n`` per side); None until both were measured here.
    """
    finetune = config.finetune_per_class * USPS_CLASSES * config.finetune_epochs
    per_seed = len(settings) * (config.pretrain_n * config.pretrain_epochs + finetune) + finetune
    training = estimate_train_seconds(per_seed * len(config.seeds), resolve_device(device))
    otdd = methods.estimate_seconds(methods.get("otdd-exact"), [(config.otdd_n, config.otdd_n)] * len(settings))
    return None if training is None or otdd is None else training + otdd


def transfer_study(
    settings: Sequence[Setting] = DEFAULT_SETTINGS,
    config: TransferConfig = TransferConfig(),
    *,
    device: str = "auto",
    threads: int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
    compute: bool = True,
    prior_seconds: float = 0.0,
) -> TransferStudy | None:
    r"""Transferability from transformed MNIST to USPS against OTDD, over settings and seeds (cached).

    For each setting (transformation, magnitude) and seed :math:`s`, a LeNet-5 pretrained on the transformed
    MNIST sample and fine-tuned on the USPS sample (fresh classifier) is compared with the same network
    trained on the USPS sample alone; the measure is the relative drop in test error of [1]_ (Sec. 6;
    :func:`~dsviz.studies.transfer_stats.relative_error_drop`),

    .. math::
        \mathrm{drop}(t, s) = 100 \, \frac{\mathrm{err}_{\mathrm{scratch}}(s) - \mathrm{err}_{\mathrm{ft}}(t, s)}
            {\mathrm{err}_{\mathrm{scratch}}(s)}, \qquad \mathrm{err} = 1 - \mathrm{acc},

    set against :math:`\mathrm{OTDD}(T_t(\mathrm{MNIST}), \mathrm{USPS})`
    (:func:`~dsviz.studies.augment_otdd.transformed_otdd`, seed 0). [1]_ reports Pearson :math:`r = -0.85`.
    Every run is cached as it finishes, so an interrupted study resumes.

    Parameters
    ----------
    settings : sequence of Setting, optional (default=DEFAULT_SETTINGS)
        The (transformation, magnitude) pairs; ``Setting(PLAIN, 0)`` is untransformed MNIST.
    config : TransferConfig, optional
        Sample sizes, training budget (epochs, batch, learning rate) and the seeds.
    device : str, optional (default="auto")
        See :func:`dsviz.runtime.device.resolve_device`.
    threads : int, optional (default=None)
        torch CPU threads while training (1 is fastest for a LeNet on a CPU shared with other work: small
        convolutions gain little from a second thread and lose a lot when the cores are oversubscribed).
    data_dir : path, optional (default=None)
        The data folder (``DSVIZ_DATA_DIR`` when None).
    cache : Cache, optional (default=None)
        Where runs and the study are cached (the default cache when None).
    progress : callable, optional (default=None)
        Called with ``(done, total, label)`` before each run.
    compute : bool, optional (default=True)
        False only reads the cache.
    prior_seconds : float, optional (default=0.0)
        Wall time an executor's grid already spent on the study's runs (:mod:`dsviz.commands.grids`), added to
        the recorded ``seconds``.

    Returns
    -------
    study : :class:`TransferStudy` or None
        Per setting and seed the fine-tuned and scratch accuracies, the OTDD values, ``drop_mean``/``drop_std``
        over seeds (ddof = 1), the accuracy gains kept for reference, and :meth:`TransferStudy.correlations`
        (Pearson and Spearman of OTDD against the drop); None when ``compute`` is False and nothing is cached.

    Raises
    ------
    ValueError
        With no settings, an unknown transformation or magnitude, or no seeds.

    References
    ----------
    .. [1] Alvarez-Melis, D., & Fusi, N. (2020). Geometric Dataset Distances via Optimal Transport.
        In Advances in Neural Information Processing Systems 33 (NeurIPS 2020), Sec. 6.
    """
    if not settings:
        raise ValueError("no settings to study")
    for s in settings:
        if s.transform != PLAIN:
            check_transform(s.transform, s.magnitude)
    if not config.seeds:
        raise ValueError("at least one seed is needed")
    dev = resolve_device(device)
    store = cache if cache is not None else Cache()
    datas = [load_seed_data(config, seed, data_dir) for seed in config.seeds]
    otdd_pair = load_pair(config.otdd_n, 0, data_dir)
    params = _study_params(settings, config)
    study_fp = _study_fingerprint(datas, otdd_pair)

    def run() -> TransferStudy:
        start = time.perf_counter()
        total = len(settings) * (1 + len(datas)) + len(datas)
        done = 0

        def step(what: str) -> None:
            nonlocal done
            if progress is not None:
                progress(done, total, what)
            done += 1

        otdd = np.empty(len(settings))
        acc_ft = np.empty((len(settings), len(datas)))
        acc_scratch = np.empty(len(datas))
        with torch_threads(threads):
            for i, s in enumerate(settings):
                step(f"OTDD {s.label}")
                otdd[i] = setting_otdd(s, config, device=device, cache=store, pair=otdd_pair)
            for j, data in enumerate(datas):
                step(f"scratch, seed {data.seed}")
                acc_scratch[j] = cached_scratch(config, data, dev, store)
                for i, s in enumerate(settings):
                    step(f"{s.label}, seed {data.seed}")
                    acc_ft[i, j] = cached_finetune(s, config, data, dev, store)
        if progress is not None:
            progress(total, total, "done")
        seconds = prior_seconds + time.perf_counter() - start
        return TransferStudy(list(settings), config, otdd, acc_ft, acc_scratch, seconds, [str(dev)])

    study, _ = cached(store, STUDY_FUNCTION, params, study_fp, run, TransferStudy, cached_only=not compute)
    if study is not None and compute:
        _note_seeds(study, store)
    return study


__all__ = [
    "DEFAULT_SETTINGS",
    "PLAIN",
    "Setting",
    "TransferConfig",
    "TransferStudy",
    "cached_finetune",
    "cached_scratch",
    "finetune_accuracy",
    "protocol_settings",
    "load_seed_data",
    "most_seeded_study",
    "scratch_accuracy",
    "setting_otdd",
    "transfer_study",
]
