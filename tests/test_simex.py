"""SimEx fleet, AAD, derived datasets, the simex CLI and the two pages (AppTest), on tiny settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from streamlit.testing.v1 import AppTest

from dsviz.cli import main
from dsviz.data import availability
from dsviz.data.derived import load_any, over_background, rotate
from dsviz.methods import METHODS
from dsviz.simex import (
    FleetAutoencoder,
    compute_aad,
    evaluate_delta,
    mean_pairwise_mse,
    method_agreement,
    per_sample_loss,
    row_spearman,
    runs,
    sample_mse_matrix,
    settling_curve,
    ssim,
    train_fleet,
)
from dsviz.simex.fleet import to_tensor
from dsviz.simex.ranking import pair_distances
from dsviz.studies.agreement import estimate_seconds
from ui.simex_plots import pair_strip

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TINY = {"n": "60", "n_eval": "20", "epochs": "1"}


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Every test writes its cache entries to its own folder."""
    monkeypatch.setenv("DSVIZ_CACHE_DIR", str(tmp_path / "cache"))


def _bars(n: int, horizontal: bool, seed: int) -> np.ndarray:
    """Synthetic images: one bright bar (3 px thick) per image at a random offset."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 28, 28), dtype=np.uint8)
    for i, pos in enumerate(rng.integers(4, 21, size=n)):
        if horizontal:
            out[i, pos : pos + 3, 4:24] = 255
        else:
            out[i, 4:24, pos : pos + 3] = 255
    return out


def _frames(n: int, seed: int) -> np.ndarray:
    """Synthetic class: a square outline, 3 px thick, of random size about the centre."""
    rng = np.random.default_rng(seed)
    out = np.zeros((n, 28, 28), dtype=np.uint8)
    for i in range(n):
        a, b = rng.integers(3, 8), rng.integers(20, 25)
        out[i, a:b, a:b] = 255
        out[i, a + 3 : b - 3, a + 3 : b - 3] = 0
    return out


def _blobs(n: int, seed: int) -> np.ndarray:
    """Synthetic class: a filled disc of random centre and radius."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:28, :28]
    out = np.zeros((n, 28, 28), dtype=np.uint8)
    for i in range(n):
        cy, cx, r = rng.uniform(10, 18), rng.uniform(10, 18), rng.uniform(4, 8)
        out[i][(yy - cy) ** 2 + (xx - cx) ** 2 <= r**2] = 255
    return out


# --- losses and model ---------------------------------------------------------------------------


def test_ssim_of_an_image_with_itself_is_one(real_data_dir):
    digits = torch.from_numpy(load_any("mnist", n=20, data_dir=real_data_dir).images).float() / 255
    noise = torch.rand(5, 28, 28, generator=torch.Generator().manual_seed(0))
    for x in (digits, noise):
        assert torch.allclose(ssim(x, x), torch.ones(len(x)), atol=1e-6)
        assert torch.allclose(per_sample_loss(x, x, "issim"), torch.zeros(len(x)), atol=1e-6)
    assert (ssim(digits, noise[:1].expand_as(digits)) < 0.5).all()


def test_mse_loss_matches_numpy():
    rng = np.random.default_rng(1)
    a, b = rng.random((4, 3, 28, 28)), rng.random((4, 3, 28, 28))
    got = per_sample_loss(torch.from_numpy(a), torch.from_numpy(b), "mse").numpy()
    assert got.shape == (4, 3)
    np.testing.assert_allclose(got, ((a - b) ** 2).mean(axis=(2, 3)))
    with pytest.raises(ValueError, match="unknown loss"):
        per_sample_loss(torch.zeros(1, 28, 28), torch.zeros(1, 28, 28), "l1")


def test_fleet_members_are_independent():
    torch.manual_seed(0)
    model = FleetAutoencoder(3).eval()
    x = torch.rand(4, 3, 28, 28)
    changed = x.clone()
    changed[:, 0] = torch.rand(4, 28, 28)
    with torch.no_grad():
        out, out_changed = model(x), model(changed)
    assert out.shape == (4, 3, 28, 28)
    assert not torch.allclose(out[:, 0], out_changed[:, 0])
    torch.testing.assert_close(out[:, 1:], out_changed[:, 1:])
    # gradients of one member's loss reach only that member's parameters
    model.zero_grad()
    ((model(x)[:, 2] - x[:, 2]) ** 2).mean().backward()
    assert model.enc1.weight.grad[:2].abs().sum() == 0 and model.enc1.weight.grad[2].abs().sum() > 0
    assert model.conv1.weight.grad[:12].abs().sum() == 0 and model.conv1.weight.grad[12:].abs().sum() > 0


# --- training and Δ -----------------------------------------------------------------------------


def test_autoencoder_reconstructs_its_own_class_better():
    frames, blobs = _frames(200, 1), _blobs(200, 2)
    run = train_fleet([frames[:160], blobs[:160]], [frames[160:], blobs[160:]], ["frames", "blobs"], epochs=3, seed=0)
    assert run.delta.shape == (2, 2)
    # each class is reconstructed better by its own autoencoder than by the other class's one
    assert run.delta[0, 0] < 0.8 * run.delta[0, 1]
    assert run.delta[1, 1] < 0.8 * run.delta[1, 0]
    assert run.history.shape == (3, 2, 2) and np.array_equal(run.history[-1], run.delta)
    assert np.all(run.train_loss[-1] < run.train_loss[0])


def test_delta_rows_and_columns_follow_parts():
    # the opposite order of the previous test: labels must follow the parts
    parts = {"blobs": _blobs(200, 4), "frames": _frames(200, 3)}
    names = list(parts)
    run = train_fleet([p[:160] for p in parts.values()], [p[160:] for p in parts.values()], names, epochs=3)
    assert run.parts == tuple(names) and run.delta.shape == (2, 2)
    assert list(run.delta.argmin(axis=1)) == [0, 1]  # part i is best explained by A(Y_i)
    # row i is exactly part i's held-out images evaluated through every member
    row = evaluate_delta(run.model(), [to_tensor(parts["frames"][160:], "cpu")], "mse")[0]
    np.testing.assert_allclose(row, run.delta[1], rtol=1e-5)
    np.testing.assert_allclose(run.normalized_delta(), run.delta / run.ref_norm[None, :])


def test_training_is_reproducible():
    data = [_frames(64, 5), _blobs(64, 6)]
    a = train_fleet(data, data, ["a", "b"], epochs=1, seed=3)
    b = train_fleet(data, data, ["a", "b"], epochs=1, seed=3)
    np.testing.assert_allclose(a.delta, b.delta, rtol=1e-6)


def test_aad_of_a_dataset_with_itself_is_zero():
    frames, blobs = _frames(200, 7), _blobs(200, 8)
    res = compute_aad(
        [frames[:150], blobs[:150]], [frames[150:], frames[150:], blobs[150:]], ["frames", "again", "blobs"], epochs=2
    )
    m = res.matrix
    assert m.shape == (3, 3)
    assert m[0, 1] == 0 and np.all(np.diag(m) == 0)
    np.testing.assert_allclose(m, m.T)
    assert m[0, 2] > 0
    np.testing.assert_allclose(m[0, 2], np.linalg.norm(res.mean_codes[0] - res.mean_codes[2]))


# --- baseline and rankings ----------------------------------------------------------------------


def test_sample_mse_closed_form_matches_brute_force():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(7, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    fx, fy = x.reshape(7, -1) / 255.0, y.reshape(5, -1) / 255.0
    brute = ((fx[:, None, :] - fy[None, :, :]) ** 2).mean()
    assert mean_pairwise_mse(x, y) == pytest.approx(brute, rel=1e-10)
    m = sample_mse_matrix([x, y], [y, x])
    assert m[0, 0] == pytest.approx(brute, rel=1e-10) and m[1, 1] == pytest.approx(brute, rel=1e-10)


def test_rankings():
    rng = np.random.default_rng(0)
    a, b = rng.random((4, 6)), rng.random((4, 6))
    np.testing.assert_allclose(row_spearman(a, b), [spearmanr(ra, rb).statistic for ra, rb in zip(a, b)])
    np.testing.assert_allclose(row_spearman(a, 2 * a + 1), 1.0)
    history = np.stack([b, a, a])
    curve = settling_curve(history)
    assert curve[-1] == pytest.approx(1.0) and curve[1] == pytest.approx(1.0)
    sym = np.array([[0, 1, 4], [3, 0, 2], [2, 6, 0]], dtype=float)
    np.testing.assert_allclose(pair_distances(sym), [2.0, 3.0, 4.0])
    agree = method_agreement({"x": sym, "same order": sym * 10, "reversed": -sym})
    np.testing.assert_allclose(agree, [[1, 1, -1], [1, 1, -1], [-1, -1, 1]])


# --- derived datasets ---------------------------------------------------------------------------


def test_rotation_by_90_degrees_is_rot90_and_background_keeps_the_digit():
    img = _bars(3, True, 9)
    img[:, 0, 0] = 200  # break the symmetry
    np.testing.assert_array_equal(rotate(img, np.zeros(3)), img)
    np.testing.assert_allclose(rotate(img, np.full(3, 90.0)), np.rot90(img, k=1, axes=(1, 2)), atol=1)
    patches = np.full((3, 28, 28), 100, dtype=np.uint8)
    out = over_background(img, patches)
    assert np.all(out[img == 255] == 255) and np.all(out[img == 0] == 100)


def test_derived_datasets_load(real_data_dir):
    for name in ("mnist-rotated", "mnist-background"):
        d = load_any(name, n=50, data_dir=real_data_dir)
        assert d.images.shape == (50, 28, 28) and d.images.dtype == np.uint8 and len(d.classes) == 10
    mnist = load_any("mnist", n=50, data_dir=real_data_dir)
    back = load_any("mnist-background", n=50, data_dir=real_data_dir)
    assert back.images.mean() > mnist.images.mean() + 20  # the photographs fill the background


# --- parts, cache, CLI --------------------------------------------------------------------------


def test_class_parts_of_partial_emnist_and_cache(real_data_dir):
    parts = runs.class_parts("emnist-letters", n=30, n_eval=10, data_dir=real_data_dir)
    assert parts.names == tuple("abcdefghijklm")
    assert "13 of 26" in parts.notes["emnist-letters"]
    assert all(len(t) == 30 for t in parts.train) and all(len(e) == 10 for e in parts.evaluate)
    assert runs.simex(parts, "mse", 1, cached_only=True) == (None, False)
    first, hit = runs.simex(parts, "mse", 1)
    again, hit_again = runs.simex(parts, "mse", 1, cached_only=True)
    assert not hit and hit_again
    np.testing.assert_array_equal(first.delta, again.delta)
    assert first.delta.shape == (13, 13)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dsviz", "simex", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_cli_json(real_data_dir, capsys):
    out = _cli("mnist", "--n", "40", "--n-eval", "10", "--epochs", "2", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["parts"] == [str(d) for d in range(10)]
    assert np.array(data["delta"]).shape == (10, 10) and np.array(data["baseline"]).shape == (10, 10)
    assert data["seconds"] > 0 and len(data["settling"]) == 2 and data["settling"][-1] == pytest.approx(1.0)
    assert main(["simex", "mnist", "--n", "40", "--n-eval", "10", "--epochs", "2", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["cache_hit"] and again["delta"] == data["delta"]


def test_cli_per_dataset_skips_missing_kmnist(real_data_dir, capsys):
    args = ["mnist", "kmnist", "mnist-rotated", "--per", "dataset", "--loss", "issim", "--n", "40", "--n-eval", "10"]
    assert main(["simex", *args, "--epochs", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    kmnist = availability(real_data_dir)["kmnist"].available  # the data folder decides what is skipped
    parts = ["mnist", "kmnist", "mnist-rotated"] if kmnist else ["mnist", "mnist-rotated"]
    assert data["parts"] == parts and np.array(data["delta"]).shape == (len(parts),) * 2
    assert ("kmnist" in data["notes"]) != kmnist


@pytest.mark.parametrize(
    "args",
    [
        ["mnist", "usps"],
        ["mnist", "--per", "dataset"],
        ["MISSING"],
        ["nosuch"],
        ["mnist", "--loss", "l1"],
        ["mnist", "--n", "0"],
    ],
)
def test_cli_bad_input_exits_2(args, real_data_dir, capsys):
    if args == ["MISSING"]:  # a registered dataset the availability report calls missing
        missing = [name for name, s in availability(real_data_dir).items() if not s.available]
        if not missing:
            pytest.skip("every registered dataset is in the data folder")
        args = missing[:1]
    try:
        code = main(["simex", *args, "--epochs", "1"])
    except SystemExit as exc:  # argparse rejects bad choices and types itself
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err and "Traceback" not in err


# --- pages (AppTest) ----------------------------------------------------------------------------


def _page(path: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def test_simex_page_trains_on_demand_and_orders_reconstructions(real_data_dir):
    at = _page("pages/simex.py", TINY)
    assert at.button(key="train_class_fleet") and not at.get("plotly_chart")
    at.button(key="train_class_fleet").click().run()
    assert not at.exception, at.exception
    assert {c.proto.id for c in at.get("plotly_chart")}  # Δ, baseline and settling figures are drawn
    # one epoch is a labelled preview, and its untrained members are named, not silently used
    assert any("Fast preview: 1 epochs" in w.value for w in at.warning)
    assert any("did not train" in w.value for w in at.warning)
    # ρ needs two trained members: a dash then, never "nan"
    (rho,) = [m.value for m in at.metric if m.label.startswith("Spearman ρ, Δ vs. baseline")]
    assert rho == "—" or np.isfinite(float(rho)), rho
    at.selectbox(key="ae").set_value("7").run()
    labels = [m.value for m in at.markdown if m.value.startswith("**") and "Δ =" in m.value]
    assert len(labels) == 10
    deltas = [float(label.split("Δ =")[1]) for label in labels]
    assert deltas == sorted(deltas)
    assert len(at.get("image")) == 10
    if not availability(real_data_dir)["kmnist"].available:
        at.selectbox(key="dataset").set_value("kmnist").run()
        assert any("Not in the data folder" in i.value and "kmnist" in i.value for i in at.info)


def test_method_agreement_page_states_missing_data_and_reports_costs(real_data_dir):
    query = {**TINY, "datasets": ["mnist", "kmnist", "emnist-letters", "mnist-rotated"]}
    status = availability(real_data_dir)  # what the data folder holds decides what the page must say
    at = _page("pages/method_agreement.py", query)
    notices = [i.value for i in at.info if "Not in the data folder" in i.value]
    assert len(notices) == (
        0 if all(status[n].available and not status[n].message for n in ("kmnist", "emnist-letters")) else 1
    )
    for name in ("kmnist", "emnist-letters"):
        if not status[name].available:
            assert name in notices[0] and f"python -m dsviz download {name}" in notices[0]
        elif status[name].message:
            assert name in notices[0] and "13 of 26" in notices[0]  # partial data, in the same notice
    at.button(key="compute_agreement").click().run()
    assert not at.exception, at.exception
    table = at.table[0].value
    assert list(table.index) == list(METHODS) and "sotdd" in table.index
    assert (table["seconds"] >= 0).all() and table.loc["otdd-exact", "seconds"] > 0
    assert len(at.get("plotly_chart")) == len(METHODS) + 1


def test_method_agreement_says_how_long_a_comparison_takes_once_one_was_measured():
    query = {**TINY, "datasets": ["digits", "mnist-5k"]}
    at = _page("pages/method_agreement.py", query)
    assert not any("takes about" in i.value for i in at.info)  # nothing measured in this cache yet
    at.button(key="compute_agreement").click().run()
    assert not at.exception, at.exception
    measured = estimate_seconds(2, 60, 1)
    assert measured is not None and measured > 0
    at = _page("pages/method_agreement.py", {**query, "n": "120"})  # not cached: twice the images
    (info,) = [i.value for i in at.info if "takes about" in i.value]
    assert f"takes about {2 * measured:.0f} s" in info and "leaves no partial result" in info


def test_pair_strip_layout():
    a = np.full((3, 28, 28), 10, dtype=np.uint8)
    b = np.full((3, 28, 28), 200, dtype=np.uint8)
    strip = pair_strip(a, b, gap=4)
    assert strip.shape == (28, 3 * 57 + 2 * 4)
    assert (
        np.all(strip[:, :28] == 10)
        and np.all(strip[:, 29:57] == 200)
        and np.all(strip[:, 57:61] == 255)
        and np.all(strip[:, 28] == 255)
    )
