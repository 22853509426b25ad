#!/usr/bin/env bash
# Rebuild the shipped commercial-ad model (classifiers/models/ad.json + ad.meta.json) and measure it.
# Usage: scripts/train_ad_model.sh /path/to/shared/data [/path/to/seeds]
# The data folder needs sms_spam_80w/ (required), sms_spam_6class/ and news_originals/ (optional,
# used when present). Training is deterministic: the same data and seed give the same artifact.
set -euo pipefail
data=${1:?usage: $0 DATA_DIR [SEEDS_DIR]}
seeds=${2:-$data/../seeds}
cd "$(dirname "$0")/.."
python -c "from review.cli import main; main()" model train --data "$data"  # = `review model train`
python benchmarks/ad_eval.py --data "$data" --seeds "$seeds"
