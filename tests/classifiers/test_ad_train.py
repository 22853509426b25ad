"""Training the ad model: deterministic, round-trips through the JSON artifact, records provenance."""
from __future__ import annotations

import json

import pytest

from classifiers import ad, ad_train

ADS = [
    "限时特惠全场五折起加微信领取优惠券", "新店开业大酬宾进店有礼满二百减五十", "无抵押信用贷款当天放款利息低详询",
    "本楼盘特价房火热认购中首付五万起", "驾校春季招生学车立减八百元报名热线", "健身房年卡特价只要八百八十八元速来抢购",
    "专业代办社保公积金收费低欢迎来电", "清仓甩卖全场一律九十九元欲购从速", "会员日全场八折充二百送五十",
    "保健品买二送一厂家直销货到付款", "装修公司旧房翻新每平米只需二百九十九元", "酒店特价房每晚一百六十八元欢迎预订",
]
HAM = [
    "市政府召开常务会议研究部署安全生产工作", "今天的天气真不错我们去公园散步吧", "全市一季度经济运行总体平稳",
    "关于发放消费券的公告市民可通过官方渠道领取", "区人社局举办招聘会求职者免费入场", "图书馆本周六举办公益讲座",
    "税务部门提醒个人所得税汇算开始了", "警惕低价旅游陷阱请选择正规旅行社", "老旧小区改造项目进展顺利",
    "春节期间全市公共文化场馆正常开放", "残疾人两项补贴标准提高", "中标结果公告中标金额一百万元",
]


@pytest.fixture
def data_root(tmp_path):
    sms = tmp_path / "data" / "sms_spam_80w"
    sms.mkdir(parents=True)
    rows = [f"1\t{t}" for t in ADS] + [f"0\t{t}" for t in HAM]
    (sms / "train.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (sms / "test.tsv").write_text("1\t限时特惠加微信领取优惠券\n0\t市政府召开会议研究民生工作\n", encoding="utf-8")
    gov = tmp_path / "gov.tsv"
    gov.write_text("# fixture\n" + "\n".join(
        [f"0\tnotice\t{t}，请市民知悉。" for t in HAM] + [f"1\tdisguised_ad\t{t}，名额有限。" for t in ADS]) + "\n",
        encoding="utf-8")
    return tmp_path / "data", gov


PARAMS = dict(min_df=1, folds=3, news_paragraphs=0)
CONFIG = {"warn": 0.6, "block": 0.9}


def test_training_is_deterministic_with_a_fixed_seed(data_root, tmp_path):
    root, gov = data_root
    outputs = []
    for run in ("a", "b"):
        model_file, _ = ad_train.train(root, tmp_path / run, params=ad_train.Params(**PARAMS),
                                       config=CONFIG, gov_set=gov, log=lambda *_: None)
        outputs.append(model_file.read_bytes())
    assert outputs[0] == outputs[1]


def test_trained_artifact_round_trips_and_separates_the_fixture(data_root, tmp_path):
    root, gov = data_root
    model_file, meta_file = ad_train.train(root, tmp_path / "m", name="fixture", params=ad_train.Params(**PARAMS),
                                           config=CONFIG, gov_set=gov, log=lambda *_: None)
    weights = json.loads(model_file.read_text(encoding="utf-8"))
    loaded = ad.AdModel.load(model_file)
    assert loaded.version == weights["version"] and loaded.version.startswith("ad-")
    # The loaded artifact scores exactly as the in-memory one the trainer evaluated.
    in_memory = ad.AdModel(weights)
    for text in ADS[:3] + HAM[:3]:
        assert loaded.score(text).probability == in_memory.score(text).probability
    ads = [loaded.score(t).probability for t in ADS]
    ham = [loaded.score(t).probability for t in HAM]
    assert min(ads) > max(ham)
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    assert meta["version"] == loaded.version
    assert {"sms_test", "gov_heldout"} <= set(meta["metrics"])
    sources = {s["path"] for s in meta["data"]["sources"]}
    assert {"sms_spam_80w/train.tsv", "sms_spam_80w/test.tsv", "project:gov.tsv"} <= sources
    assert all(len(s["sha256"]) == 64 for s in meta["data"]["sources"])


def test_held_out_rows_never_reach_training(data_root):
    root, gov = data_root
    train, evals, _ = ad_train.load_data(root, ad_train.Params(**PARAMS), gov)
    held = set(evals["gov_heldout"].texts) | set(evals["sms_test"].texts)
    assert held and not held & set(train.texts)


def test_cli_trains_into_the_given_folder(data_root, tmp_path):
    from click.testing import CliRunner

    from review.cli import cli

    root, gov = data_root
    result = CliRunner().invoke(cli, ["model", "train", "--data", str(root), "--out", str(tmp_path / "cli"),
                                      "--gov-set", str(gov)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cli" / "ad.json").is_file() and (tmp_path / "cli" / "ad.meta.json").is_file()


def test_cli_refuses_a_folder_without_the_corpus(tmp_path):
    from click.testing import CliRunner

    from review.cli import cli

    result = CliRunner().invoke(cli, ["model", "train", "--data", str(tmp_path)])
    assert result.exit_code != 0 and "sms_spam_80w" in result.output


def test_public_service_cues_never_count_towards_an_ad(data_root, tmp_path):
    # Ads that say 报名 without a price would give the sign-up cue a positive weight; #17 says
    # public-service cues count against an ad or not at all.
    root, gov = data_root
    signing_up = tmp_path / "gov_sign_up.tsv"
    extra = [f"1\tdisguised_ad\t{t}" for t in ("暑期班火热报名中欢迎报名", "少儿美术班报名开始报名从速", "舞蹈班报名中报名送礼")]
    signing_up.write_text(gov.read_text(encoding="utf-8") + "\n".join(extra) + "\n", encoding="utf-8")
    model_file, _ = ad_train.train(root, tmp_path / "m", params=ad_train.Params(**PARAMS), config=CONFIG,
                                   gov_set=signing_up, log=lambda *_: None)
    for member in json.loads(model_file.read_text(encoding="utf-8"))["members"]:
        assert all(member["cue_coef"][k] <= 0 for k in ad.PUBLIC_SERVICE)
