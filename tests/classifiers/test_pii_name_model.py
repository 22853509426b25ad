"""The learned person-name model of the PII check: training, the artifact, and what it adds to the cue rules."""
import json

import numpy as np
import pytest

from classifiers import Resources, Screener, ScreenOptions
from classifiers import pii_name_model as m
from classifiers import pii_name_train
from classifiers.pii_names import PersonRecognizer
from classifiers.text import Field

SENTENCES = [  # (text, names), written for this test
    ("张秀英每天早上到菜市场卖青菜。", ["张秀英"]),
    ("李德明的病情逐渐好转，家人很高兴。", ["李德明"]),
    ("记者见到了王芳，她正在田里干活。", ["王芳"]),
    ("刘建华和陈小红一起开了一家小店。", ["刘建华", "陈小红"]),
    ("今天的天气很好，适合出门散步。", []),
    ("高速公路上车流量明显增加。", []),
    ("赵国庆在小区门口开了一家早餐店。", ["赵国庆"]),
    ("黄河流域生态保护取得新进展。", []),
]


def _cluener_line(text, names):
    label = {"name": {n: [[text.index(n), text.index(n) + len(n) - 1]] for n in names}} if names else {}
    return json.dumps({"text": text, "label": label}, ensure_ascii=False)


def _weibo_block(text, names):
    tags = ["O"] * len(text)
    for n in names:
        i = text.index(n)
        tags[i:i + len(n)] = ["B-PER.NAM"] + ["I-PER.NAM"] * (len(n) - 1)
    return "".join(f"{ch}0\t{tag}\n" for ch, tag in zip(text, tags)) + "\n"


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("ner")
    (root / "ner_cluener2020").mkdir()
    (root / "ner_weibo").mkdir()
    lines = [_cluener_line(t, n) for t, n in SENTENCES]
    (root / "ner_cluener2020" / "train.json").write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    (root / "ner_cluener2020" / "dev.json").write_text("\n".join(lines[6:]) + "\n", encoding="utf-8")
    for split, rows in (("train", SENTENCES[:6]), ("dev", SENTENCES[6:7]), ("test", SENTENCES[7:])):
        (root / "ner_weibo" / f"weiboNER_2nd_conll.{split}").write_text("".join(_weibo_block(t, n) for t, n in rows), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def featurizer():
    return PersonRecognizer(Resources(), with_model=False).featurizer


def test_training_is_deterministic_and_records_metrics_and_provenance(data_root, featurizer, tmp_path):
    first, meta = pii_name_train.train(data_root, tmp_path / "a", featurizer, log=lambda *_: None)
    second, _ = pii_name_train.train(data_root, tmp_path / "b", featurizer, log=lambda *_: None)
    assert first.read_bytes() == second.read_bytes()
    card = json.loads(meta.read_text(encoding="utf-8"))
    assert set(card["metrics"]) == {"cluener_dev", "weibo_dev_test"}
    assert card["metrics"]["cluener_dev"]["gold"] == 1
    assert {s["path"] for s in card["data"]["sources"]} >= {"ner_cluener2020/train.json", "ner_weibo/weiboNER_2nd_conll.train"}
    assert all(len(s["sha256"]) == 64 for s in card["data"]["sources"])
    assert card["data"]["train"]["gold_names"] == 2 * 5  # the first six sentences hold five names, in each corpus


def test_the_artifact_round_trips(data_root, featurizer, tmp_path):
    path, _ = pii_name_train.train(data_root, tmp_path, featurizer, log=lambda *_: None)
    loaded = m.NameModel.load(path)
    fld = Field("body", "张秀英每天早上到菜市场卖青菜。")
    cands, probabilities = loaded.scores(featurizer, fld.normalized)
    assert len(cands) == len(probabilities) > 0 and ((probabilities >= 0) & (probabilities <= 1)).all()
    assert loaded.version.startswith("names-") and loaded.weights.dtype == np.float32


def _write(path, header, weights):
    with open(path, "wb") as fh:
        np.savez_compressed(fh, header=np.array(json.dumps(header)), weights=weights)


def test_an_unusable_artifact_says_how_to_rebuild_it(tmp_path):
    with pytest.raises(m.NameModelError, match="not found.*review model train-names"):
        m.NameModel.load(tmp_path / "missing.npz")
    (tmp_path / "garbage.npz").write_bytes(b"not a model")
    with pytest.raises(m.NameModelError, match="cannot be read.*train-names"):
        m.NameModel.load(tmp_path / "garbage.npz")
    _write(tmp_path / "old.npz", {"format": "sanshen-names-linear/0", "version": "x", "bias": 0.0}, np.zeros(4, np.float32))
    with pytest.raises(m.NameModelError, match="format.*sanshen-names-linear/1.*train-names"):
        m.NameModel.load(tmp_path / "old.npz")
    _write(tmp_path / "small.npz", {"format": m.ARTIFACT_FORMAT, "version": "x", "bias": 0.0}, np.zeros(4, np.float32))
    with pytest.raises(m.NameModelError, match="does not match"):
        m.NameModel.load(tmp_path / "small.npz")


def test_the_screener_refuses_to_start_with_an_unusable_name_model(tmp_path):
    settings = f'model = "{tmp_path / "missing.npz"}"\nthreshold = 0.4\n'
    with pytest.raises(m.NameModelError, match="train-names"):
        Screener.load(Resources(overrides={"pii/names.toml": settings}), registry=["classifiers.pii"])


@pytest.fixture(scope="module")
def pii():
    return Screener.load(Resources(), registry=["classifiers.pii"])


def persons(pii, body, disclosure=False):
    result = pii.screen("", body, ScreenOptions(disclosure=disclosure))
    return [(f["text"], f["action"], f["details"]["kind"]) for f in result["findings"] if f["category"] == "person"], result


@pytest.mark.parametrize("body, name", [
    ("村民们都认识的张秀英每天早上到菜市场卖青菜。", "张秀英"),  # a private-person cue a few characters before
    ("患者家属介绍，刘建华入院时已经昏迷。", "刘建华"),
    ("今年58岁的赵国庆在小区门口开了一家早餐店。", "赵国庆"),  # an age right before
])
def test_names_in_a_privacy_context_are_masked_keeping_the_surname(pii, body, name):
    found, result = persons(pii, body)
    assert found == [(name, "mask", "private")]
    assert result["deidentified"]["body"] == body.replace(name, name[0] + "**")


@pytest.mark.parametrize("body, name", [
    ("张秀英每天早上六点出门，到菜市场卖自家种的青菜。", "张秀英"),
    ("在医护人员的照料下，李德明的病情逐渐好转。", "李德明"),
])
def test_other_names_the_model_finds_are_shown_to_the_reviewer_not_masked(pii, body, name):
    found, result = persons(pii, body)
    assert found == [(name, "warn", "unconfirmed")]
    assert result["deidentified"]["body"] == body
    assert "请审核人确认是否去标识化" in result["findings"][0]["message"]


@pytest.mark.parametrize("body, expected", [
    ("市委书记王建国主持召开常委会会议。王建国强调，要抓好防汛工作。", [("王建国", "warn", "official")] * 2),
    ("丁薛祥指出，要加快科技成果转化。", [("丁薛祥", "warn", "official")]),  # a public figure on the list
    ("张立军主持会议并讲话。", [("张立军", "warn", "official")]),  # acting in an official role
    ("名单：王晓萍（女）、梁玉华（女）", [("王晓萍", "warn", "official"), ("梁玉华", "warn", "official")]),
    ("中国选手张晓雨以5比2战胜对手，获得女子单打冠军。", [("张晓雨", "warn", "public")]),
])
def test_officials_and_public_figures_are_reported_not_masked(pii, body, expected):
    assert persons(pii, body)[0] == expected


@pytest.mark.parametrize("body", [
    "王家村的苹果熟了，周师傅开着货车来收购。",  # a place; a name already de-identified
    "今天的天气很好，适合出门散步。",
])
def test_places_and_de_identified_names_are_not_names(pii, body):
    assert persons(pii, body)[0] == []


def test_a_disclosure_keeps_names_the_model_found(pii):
    found, result = persons(pii, "今年58岁的赵国庆在小区门口开了一家早餐店。", disclosure=True)
    assert found == [("赵国庆", "warn", "private")]
    assert "赵国庆" in result["deidentified"]["body"]


def test_cli_trains_into_the_given_folder_and_says_how_to_use_it(data_root, tmp_path):
    from click.testing import CliRunner

    from review.cli import cli

    result = CliRunner().invoke(cli, ["model", "train-names", "--data", str(data_root), "--out", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    assert m.NameModel.load(tmp_path / "cli" / "names.npz").version.startswith("names-")
    assert "wordlists/pii/names.toml" in result.output


def test_cli_refuses_a_folder_without_the_corpora(tmp_path):
    from click.testing import CliRunner

    from review.cli import cli

    result = CliRunner().invoke(cli, ["model", "train-names", "--data", str(tmp_path)])
    assert result.exit_code != 0 and "ner_cluener2020/train.json" in result.output


@pytest.mark.parametrize("body, expected", [
    ("李强强调，要充分发挥企业的主体作用。", [("李强", "warn", "official")]),  # not 李强强
    ("王毅、刘国中、李书磊、李鸿忠、赵建军、陈立平出席。", [(n, "warn", "official") for n in
                                              ("王毅", "刘国中", "李书磊", "李鸿忠", "赵建军", "陈立平")]),
    ("刘尚希、罗志恒、田轩等专家学者先后发言。", [("刘尚希", "warn", "public"), ("罗志恒", "warn", "public"), ("田轩", "warn", "public")]),
])
def test_leaders_lists_of_officials_and_experts_speaking_in_public_are_not_masked(pii, body, expected):
    assert persons(pii, body)[0] == expected


def test_a_piece_of_a_longer_dictionary_word_is_not_a_name(pii):
    assert persons(pii, "俄罗斯空天军在顿涅茨克等地区打击目标。")[0] == []
