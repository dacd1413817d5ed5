"""What a page says about which transfer study it shows: its training budget and seeds, read from the study."""

from __future__ import annotations

from dsviz.studies.transfer_pairs import PairsConfig


def _seeds(seeds: tuple[int, ...]) -> str:
    listed = ", ".join(map(str, seeds))
    return f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''} ({listed})"


def pairs_budget(config: PairsConfig) -> str:
    """One sentence: the budget and seeds of a transfer-pairs study."""
    return (
        f"pretraining on {config.pretrain_n} source images × {config.pretrain_epochs} epochs, fine-tuning and "
        f"from-scratch training on {config.finetune_per_class} target images per class × {config.finetune_epochs} "
        f"epochs, {config.test_n} test images, OTDD on {config.otdd_n} images per side; {_seeds(config.seeds)}"
    )


def pairs_study_label(config: PairsConfig, default: PairsConfig) -> tuple[str, bool]:
    """(caption naming the shown study's budget and seeds, whether it is the default ``precompute`` budget)."""
    if config == default:
        return f"Study shown: the default `precompute transfer-pairs` run — {pairs_budget(config)}.", True
    changed = ", ".join(
        f"{name} {getattr(config, name)} (default {getattr(default, name)})"
        for name in vars(default)
        if getattr(config, name) != getattr(default, name)
    )
    return f"Study shown: the last one computed, not the default budget ({changed}) — {pairs_budget(config)}.", False
