"""`review model …`: train and inspect the screening models (the training itself is in classifiers/)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from . import cli


@cli.group(help="Screening models: train the commercial-ad, person-name, typo and rumour models, show the installed ad model.")
def model():
    pass


@model.command("train", help="Train the ad model on real data, evaluate it on held-out splits and "
                             "write <name>.json plus <name>.meta.json (metrics, data provenance).")
@click.option("--data", "data_root", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Shared data folder holding sms_spam_80w/ (and optionally news_originals/).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the artifact (default: the package's classifiers/models/).")
@click.option("--name", default="ad", show_default=True, help="Artifact file stem.")
@click.option("--seed", type=int, default=None, help="Random seed (default: the documented one).")
@click.option("--estimator", type=click.Choice(["linear_svm", "logreg"]), default=None,
              help="Train this one linear model instead of the shipped pair (see docs/ad.md).")
@click.option("--C", "c", type=float, default=None, help="With one model: inverse regularization strength (0.1).")
@click.option("--nb/--no-nb", "nb_scale", default=None, help="With one model: NB-SVM log-count-ratio scaling (on).")
@click.option("--gov-set", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Government-domain labelled set (default: the project's classifiers/data/ad_gov.tsv).")
def train_command(data_root: Path, out_dir: Path | None, name: str, seed: int | None, estimator: str | None,
                  c: float | None, nb_scale: bool | None, gov_set: Path | None):
    from classifiers import ad, ad_train

    if not (data_root / "sms_spam_80w" / "train.tsv").is_file():
        raise click.UsageError(f"{data_root} has no sms_spam_80w/train.tsv")
    params = ad_train.Params(**({"seed": seed} if seed is not None else {}))
    one_model = {"model": estimator, "C": c, "nb_scale": nb_scale}
    if any(v is not None for v in one_model.values()):
        params.members = (ad_train.Member(**{k: v for k, v in one_model.items() if v is not None}),)
    model_file, meta_file = ad_train.train(
        data_root, out_dir or ad.MODEL_DIR, name=name, params=params,
        gov_set=gov_set or ad_train.GOV_SET, log=click.echo)
    click.echo(f"wrote {model_file} and {meta_file}")
    if out_dir is not None and out_dir.resolve() != ad.MODEL_DIR:
        click.echo(f'to use it, set model = "{model_file.resolve()}" in wordlists/ad.toml')


@model.command("train-names", help="Train the person-name model of the PII check on annotated text (CLUENER2020, "
                                   "Weibo NER), evaluate it on their held-out splits and write names.npz plus "
                                   "names.meta.json.")
@click.option("--data", "data_root", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Shared data folder holding ner_cluener2020/ and ner_weibo/.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the artifact (default: the package's classifiers/models/).")
@click.option("--C", "c", type=float, default=None, help="Inverse regularization strength.")
def train_names_command(data_root: Path, out_dir: Path | None, c: float | None):
    from classifiers import pii_name_model, pii_name_train
    from classifiers.pii_names import PersonRecognizer
    from classifiers.resources import Resources

    missing = [p for p in ("ner_cluener2020/train.json", "ner_weibo/weiboNER_2nd_conll.train") if not (data_root / p).is_file()]
    if missing:
        raise click.UsageError(f"{data_root} has no {', '.join(missing)}")
    params = pii_name_train.Params(**({"C": c} if c is not None else {}))
    featurizer = PersonRecognizer(Resources(), with_model=False).featurizer
    model_file, meta_file = pii_name_train.train(data_root, out_dir or pii_name_model.MODEL_DIR, featurizer, params,
                                                 log=click.echo)
    click.echo(f"wrote {model_file} and {meta_file}")
    if out_dir is not None and out_dir.resolve() != pii_name_model.MODEL_DIR:
        click.echo(f'to use it, set model = "{model_file.resolve()}" in wordlists/pii/names.toml')


@model.command("train-typos", help="Train the typo model of the expression check on official text (news_originals, "
                                   "the ECSpell train files minus their held-out fifth, the seeds) and write "
                                   "typos.json.gz plus typos.meta.json.")
@click.option("--data", "data_root", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Shared data folder holding news_originals/, spelling_ecspell/ and confusion_sets/.")
@click.option("--seeds", "seeds_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of the regulation texts (default: seeds/ beside the data folder).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the artifact (default: the package's classifiers/models/).")
def train_typos_command(data_root: Path, seeds_dir: Path | None, out_dir: Path | None):
    from classifiers import typo_model, typo_train

    seeds_dir = seeds_dir or data_root.parent / "seeds"
    missing = [p for p in ("news_originals", "spelling_ecspell/odw.train.tsv", "spelling_ecspell/law.train.tsv",
                           "confusion_sets/ecspell_soundConfusion.json") if not (data_root / p).exists()]
    if missing or not seeds_dir.is_dir():
        raise click.UsageError(f"{data_root} has no {', '.join(missing) or 'seeds folder ' + str(seeds_dir)}")
    model_file, meta_file = typo_train.train(data_root, seeds_dir, out_dir or typo_model.MODEL_DIR, log=click.echo)
    click.echo(f"wrote {model_file} and {meta_file}")
    if out_dir is not None and out_dir.resolve() != typo_model.MODEL_DIR:
        click.echo(f'to use it, set model = "{model_file.resolve()}" in wordlists/expression/expression.toml')


@model.command("train-rumour", help="Train the rumour model on the text of the CED Weibo rumour set (rumour_weibo/), "
                                    "evaluate it on its held-out 30 % (whole near-duplicate clusters) and write "
                                    "rumour.npz plus rumour.meta.json.")
@click.option("--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The rumour_weibo folder (ced_posts.jsonl).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the artifact (default: the package's classifiers/models/).")
@click.option("--C", "c", type=float, default=None, help="Inverse regularization strength.")
def train_rumour_command(data_dir: Path, out_dir: Path | None, c: float | None):
    from classifiers import rumour, rumour_train

    if not (data_dir / "ced_posts.jsonl").is_file():
        raise click.UsageError(f"{data_dir} has no ced_posts.jsonl")
    params = rumour_train.Params(**({"C": c} if c is not None else {}))
    model_file, meta_file = rumour_train.train(data_dir, out_dir or rumour.MODEL_DIR, params, log=click.echo)
    click.echo(f"wrote {model_file} and {meta_file}")
    if out_dir is not None and out_dir.resolve() != rumour.MODEL_DIR:
        click.echo(f'to use it, set model = "{model_file.resolve()}" in wordlists/rumour.toml')


@model.command("info", help="Show the installed ad model: version, training data and metrics.")
def info_command():
    from classifiers import ad
    from classifiers.resources import Resources

    path = ad.model_path(ad.load_config(Resources()))
    try:
        loaded = ad.AdModel.load(path)
    except ad.AdModelError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{path}: {loaded.version}, {len(loaded.terms)} n-grams")
    meta = path.with_name(path.stem + ".meta.json")
    if meta.is_file():
        card = json.loads(meta.read_text(encoding="utf-8"))
        click.echo(f"trained {card['trained_at']} with scikit-learn {card['sklearn']}")
        for split, m in card["metrics"].items():
            click.echo(f"  {split}: " + ", ".join(f"{k}={v}" for k, v in m.items()))
