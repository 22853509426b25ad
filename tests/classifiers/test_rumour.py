"""Check "rumour": chain letters, unverified urgency, the learned model; refutations are not rumours."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers import rumour, rumour_train
from classifiers.document import Document
from classifiers.resources import Resources


@pytest.fixture(scope="module")
def check():
    return rumour.build(Resources())


def findings(check, body, title=""):
    return check.check(Document.build(title, body))


@pytest.mark.parametrize("body,category,text", [
    ("看到请转发给十个人，否则必遭厄运！", "chain_letter", "转发给十个人，否则必遭厄运"),
    ("转发此条保你全家平安。", "chain_letter", "转发此条保你全家平安"),
    ("内部消息：明天封城，赶紧囤米！", "unverified_urgency", "内部消息"),
    ("紧急扩散！某小区水源被投毒。", "unverified_urgency", "紧急扩散"),
    ("明天起全市所有超市停业。", "unverified_urgency", "明天起全市"),
])
def test_chain_letters_and_unverified_urgency_escalate_and_ask_to_verify(check, body, category, text):
    found = [f for f in findings(check, body) if f.category == category]
    assert found, body
    assert found[0].action == "escalate" and found[0].check == "rumour"
    assert body[found[0].start:found[0].end] == found[0].text
    assert any(f.text == text for f in found)
    assert "核实信息来源" in found[0].message and "第十三条第（六）项" in found[0].message


@pytest.mark.parametrize("body,title", [
    ("网传“明天封城，赶紧囤米”，经核实，该消息系谣言。", ""),
    ("近日有人转发“转发给十个人，否则必遭厄运”的信息。", "警方辟谣"),
])
def test_a_refutation_is_not_a_rumour(check, body, title):
    assert findings(check, body, title) == []


@pytest.mark.parametrize("title,body", [
    ("流感疫苗免费接种通知", "60岁以上老人可免费接种流感疫苗，请携带身份证到社区卫生服务中心预约接种。"),
    ("市政府常务会议", "市政府召开常务会议，研究部署安全生产和民生保障工作，扎实推进乡村振兴。"),
    ("停水通知", "因管网维修，本周六上午8时至下午6时，城东片区停水，请居民提前储水。"),
])
def test_official_notices_are_not_flagged(check, title, body):
    assert findings(check, body, title) == []


def test_the_learned_model_flags_a_rumour_in_ordinary_words(check):
    body = ("听说吃了这种进口奶粉的孩子都得了怪病，医院已经住满了，千叮咛万嘱咐，"
            "家里有小孩的千万别再买了，速度告诉身边有孩子的朋友！")
    found = findings(check, body)
    assert found and found[0].action == "escalate"


def test_the_model_is_shipped_small_and_versioned(check):
    assert check.version and check.version.startswith("rumour-")
    assert (rumour.MODEL_DIR / "rumour.npz").stat().st_size < 1_000_000


def test_a_broken_model_file_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "rumour.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(rumour.RumourModelError, match="cannot be read"):
        rumour.RumourModel.load(bad)


def _posts(tmp_path: Path) -> Path:
    rumours = ["紧急扩散，某地水源被投毒，千万别喝自来水", "听说明天全城停电三天，赶紧去买蜡烛",
               "惊天内幕，吃香蕉会得癌症，快告诉家人", "某超市的鸡蛋是假的，已经有人吃出病了"]
    plain = ["今天参观了博物馆，展品非常精美", "新华社报道，全国春耕生产有序推进",
             "晚上和家人一起看了电影，很开心", "本周末图书馆举办读书分享会"]
    lines = []
    for i, text in enumerate(rumours * 5 + plain * 5):
        label = 1 if i < 20 else 0
        lines.append(json.dumps({"text": f"{text}{i}", "label": label, "dup_cluster": f"c{i}", "user": {"verified": not label}},
                                ensure_ascii=False))
    (tmp_path / "ced_posts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_training_is_deterministic_uses_text_only_and_keeps_clusters_apart(tmp_path: Path):
    data = _posts(tmp_path)
    first, meta = rumour_train.train(data, tmp_path / "a", log=lambda *_: None)
    second, _ = rumour_train.train(data, tmp_path / "b", log=lambda *_: None)
    assert first.read_bytes() == second.read_bytes()
    card = json.loads(meta.read_text(encoding="utf-8"))
    assert card["data"]["fields_used"] == ["text"]
    train, held = rumour_train.split(rumour_train.load_posts(data))
    assert not {r["cluster"] for r in train} & {r["cluster"] for r in held}
    assert len(held) == 12  # 30 % of each label
    rumour.RumourModel.load(first)


def test_split_keeps_near_duplicates_together():
    rows = [{"text": "x", "label": 1, "cluster": "big"}] * 5 + [{"text": "y", "label": 1, "cluster": f"c{i}"} for i in range(5)]
    train, held = rumour_train.split(rows)
    assert sum(r["cluster"] == "big" for r in train) in (0, 5)


def test_cli_trains_from_a_path_and_rejects_a_folder_without_posts(tmp_path: Path):
    from click.testing import CliRunner

    from review.cli import cli

    (tmp_path / "data").mkdir()
    data = _posts(tmp_path / "data")
    result = CliRunner().invoke(cli, ["model", "train-rumour", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "rumour.npz").is_file() and "held out" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["model", "train-rumour", "--data", str(empty)])
    assert result.exit_code != 0 and "ced_posts.jsonl" in result.output


def test_the_model_reads_only_post_length_drafts(check):
    post = ("听说吃了这种进口奶粉的孩子都得了怪病，医院已经住满了，千叮咛万嘱咐，"
            "家里有小孩的千万别再买了，速度告诉身边有孩子的朋友！")
    article = post + "。" + "市政府召开常务会议，研究部署民生保障工作。" * 60
    assert findings(check, post)
    assert findings(check, article) == []
