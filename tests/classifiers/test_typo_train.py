"""The typo model trains on data laid out like the shared data folder (written here into a temporary directory), deterministically, into an artifact the check loads."""
from __future__ import annotations

import json
from pathlib import Path

from classifiers import typo_train
from classifiers.typo_model import TypoModel

SENTENCES = [
    "全面推进乡村振兴，加快建设农业强国。", "要进一步健全体制机制，推动经济高质量发展。", "加强基层党组织建设，提高组织力。",
    "各级政府要切实履行职责，加强监督管理。", "大力培育发展大数据产业，推动数字经济发展。", "依法治国是党领导人民治理国家的基本方略。",
]
TYPOS = {"农业": "农叶", "机制": "机智", "管理": "管里", "数据": "数局", "治国": "制国"}


def _data(root: Path) -> tuple[Path, Path]:
    (root / "news_originals").mkdir(parents=True)
    with (root / "news_originals" / "stories.jsonl").open("w", encoding="utf-8") as fh:
        for k in range(120):
            fh.write(json.dumps({"id": f"s-{k}", "title": "新闻", "body": "".join(SENTENCES[(k + j) % 6] for j in range(6))},
                                ensure_ascii=False) + "\n")
    (root / "spelling_ecspell").mkdir()
    for domain in typo_train.DOMAINS:
        lines = []
        for k in range(40):
            target = SENTENCES[k % 6] + SENTENCES[(k + 1) % 6] + f"第{k}条"
            right, wrong = list(TYPOS.items())[k % len(TYPOS)]
            source = target.replace(right, wrong, 1)
            lines.append(f"{int(source != target)}\t{source}\t{target}")
        (root / "spelling_ecspell" / f"{domain}.train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    confusion = root / "confusion_sets"
    confusion.mkdir()
    (confusion / "pycorrector_custom_confusion.txt").write_text("#变体\t本体\n人材\t人才\n", encoding="utf-8")
    (confusion / "pycorrector_same_pinyin.txt").write_text("#汉字\t同音同调\t同音异调\n叶\t业页\t\n智\t制治\t\n里\t理\t\n制\t治智\t\n",
                                                            encoding="utf-8")
    (confusion / "pycorrector_same_stroke.txt").write_text("局\t据\n", encoding="utf-8")
    (confusion / "ecspell_soundConfusion.json").write_text(json.dumps({"局": ["据", "剧"]}, ensure_ascii=False), encoding="utf-8")
    (confusion / "ecspell_shapeConfusion.json").write_text(json.dumps({"叶": ["业"]}, ensure_ascii=False), encoding="utf-8")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "000.txt").write_text("".join(SENTENCES), encoding="utf-8")
    return root, seeds


def test_training_is_deterministic_and_the_artifact_loads(tmp_path):
    data, seeds = _data(tmp_path / "data")
    first, meta = typo_train.train(data, seeds, tmp_path / "a", log=lambda _m: None)
    second, _ = typo_train.train(data, seeds, tmp_path / "b", log=lambda _m: None)
    assert first.read_bytes() == second.read_bytes()
    model = TypoModel.load(first)
    assert model.version.startswith("typos-") and json.loads(meta.read_text())["bytes"] == first.stat().st_size
    assert "治" in model.confusion["制"]  # same-sound pair, both characters in the training text


def test_held_out_rows_are_split_by_target_sentence(tmp_path):
    data, _seeds = _data(tmp_path / "data")
    train = {r.target for r in typo_train.load_ecspell(data, held_out=False)}
    held = {r.target for r in typo_train.load_ecspell(data, held_out=True)}
    assert train and held and not train & held
