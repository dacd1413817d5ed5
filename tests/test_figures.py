"""Client-side figure payloads and the one-file HTML export (dsviz.figures, dsviz export)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from dsviz.cli import main
from dsviz.data.transforms import TRANSFORMS
from dsviz.figures import COMPONENTS, component_script, figure_html
from dsviz.figures.augmentations import augmentations_payload
from dsviz.figures.label_shuffle import CONTROLS, label_shuffle_payload
from dsviz.runtime.cache import Cache
from dsviz.studies.augment_otdd import load_pair, transformed_otdd
from dsviz.studies.toy import SHUFFLE_FRACTIONS, ToyPair, rotate

PAYLOAD_RE = re.compile(r'<script type="application/json" id="dsviz-payload">(.*?)</script>', re.S)


def _payload_of(document: str) -> dict:
    return json.loads(PAYLOAD_RE.search(document).group(1).replace("<\\/", "</"))


def test_label_shuffle_payload_replays_the_study_data():
    pair = ToyPair(60, 3, rotation_a=20.0, rotation_b=45.0, shuffle_a=0.3, shuffle_b=0.55)
    payload = label_shuffle_payload(pair)
    assert payload["fractions"] == pytest.approx(SHUFFLE_FRACTIONS.tolist())
    assert payload["initial"] == {"rot_a": 20.0, "shuffle_a": 0.3, "rot_b": 45.0, "shuffle_b": 0.55}
    assert set(payload["controls"]) == set(CONTROLS) == {"rot_a", "shuffle_a", "rot_b", "shuffle_b"}
    x_a, y_a, x_b, y_b = pair.datasets()
    # the browser rotates the unrotated clouds and picks the labels of the slider's fraction
    np.testing.assert_allclose(rotate(np.array(payload["points_a"]), 20.0), x_a, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rotate(np.array(payload["points_b"]), 45.0), x_b, rtol=0, atol=1e-12)
    k_a = int(np.argmin(np.abs(SHUFFLE_FRACTIONS - 0.3)))
    k_b = int(np.argmin(np.abs(SHUFFLE_FRACTIONS - 0.55)))
    assert payload["labels_a"][k_a] == y_a.tolist()
    assert payload["labels_b"][k_b] == y_b.tolist()
    assert payload["labels_b"][0] == sorted(payload["labels_b"][0])  # unshuffled: blob 0 first, then blob 1


def test_figure_html_is_one_self_contained_document():
    payload = label_shuffle_payload(ToyPair(20, 0))
    document = figure_html(
        "label_shuffle", payload, title="T <1>", settings={"seed": 0}, provenance={"data": "toy </script>"}
    )
    assert _payload_of(document) == json.loads(json.dumps(payload))
    # nothing to fetch: no external script, stylesheet, image or frame
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", document)
    assert "plotly.js v" in document and "window.dsvizFigures" in document
    assert "T &lt;1&gt;" in document and "toy &lt;/script&gt;" in document
    assert "Made with dsviz" in document


def test_component_scripts_register_their_component():
    for component in COMPONENTS:
        script = component_script(component)
        assert script.startswith("// dsviz client-side figures")
        assert f"window.dsvizFigures.{component} = function" in script
    with pytest.raises(ValueError, match="unknown figure component"):
        component_script("nope")


@pytest.fixture(scope="module")
def bundled_pair():
    return load_pair(60, 0, source="mnist-5k", target="digits")


def test_augmentations_payload_holds_the_study_values(bundled_pair, tmp_path):
    cache = Cache(tmp_path)
    compute = lambda t, m: transformed_otdd(t, m, n=60, seed=0, pair=bundled_pair, cache=cache)  # noqa: E731
    payload = augmentations_payload(
        bundled_pair, ["blur"], n=60, seed=0, compute=compute, initial={"transform": "blur", "magnitude": 2.0}
    )
    states = payload["transforms"]["blur"]["states"]
    assert [s["magnitude"] for s in states] == [float(m) for m in TRANSFORMS["blur"].grid]
    assert payload["initial"] == {"transform": "blur", "magnitude": 2.0}
    for state in states:
        again = transformed_otdd("blur", state["magnitude"], n=60, seed=0, pair=bundled_pair, cache=cache)
        assert again.cache_hit
        assert state["otdd"] == pytest.approx(again.result.otdd, rel=1e-6)
        assert state["ot"] == pytest.approx(again.result.ot, rel=1e-6)
        np.testing.assert_allclose(state["label_distances"], again.result.label_distances, rtol=1e-6)
        np.testing.assert_allclose(np.sum(state["class_coupling"]), 1.0, rtol=1e-9)
        assert state["image"].startswith("data:image/png;base64,")
    assert states[0]["otdd"] != states[-1]["otdd"]
    with pytest.raises(ValueError, match="unknown transformation"):
        augmentations_payload(bundled_pair, ["warp"], n=60, seed=0, compute=compute)


def test_export_label_shuffle_cli_writes_the_figure(tmp_path, capsys):
    out = tmp_path / "ls.html"
    code = main(["export", "label-shuffle", "--out", str(out), "--n", "40", "--seed", "2", "--rot-b", "30", "--json"])
    assert code == 0
    reported = json.loads(capsys.readouterr().out)
    assert reported == {"figure": "label-shuffle", "out": str(out), "bytes": out.stat().st_size}
    payload = _payload_of(out.read_text())
    assert payload["n"] == 40 and payload["seed"] == 2 and payload["initial"]["rot_b"] == 30.0


def test_export_rejects_unknown_figure(tmp_path):
    with pytest.raises(SystemExit):
        main(["export", "nope", "--out", str(tmp_path / "x.html")])
