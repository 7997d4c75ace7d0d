#!/usr/bin/env bash
# How the embedded model (src/kinema/weights/kinema-s) is trained: the VAE, then the DiT, on one GPU, inside
# one ten-minute call of a lent H100 (nothing can be installed or downloaded there, so the data travels as a
# packed Kinema World of trajectories and captions, and the text encoder as a MiniLM cut to the world's words).
#
# Prepared here, on a CPU machine:
#   kinema world build --clips 14000 --out data/world6 --no-video --seconds 6 --fps 8 --workers 2 \
#       --max-objects 6 --difficulty 0.4 --shots 0.15 --multiview 0.15 --seed 1
#   kinema world pack data/world6 -o .data/world.npz
#   python -m kinema.training.text_subset --world .data/world.npz --out .data/minilm --dtype float32
# Run there (OUT is where results go; BUDGET the seconds the whole script may take):
#   OUT=... BUDGET=570 bash scripts/train_embedded.sh
# To train the shipped model on (its VAE kept, its DiT the starting point; the optimizer state of a
# past run does not travel back), name its folder:
#   OUT=... BUDGET=570 INIT=src/kinema/weights/kinema-s WORLD=.data/world-b.npz TEXT=.data/minilm16 bash scripts/train_embedded.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD/src PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
DATA=${DATA:-.data}
WORLD=${WORLD:-$DATA/world.npz}
TEXT=${TEXT:-$DATA/minilm}
INIT=${INIT:-}
RUN=${RUN:-/tmp/kinema-run}
OUT=${OUT:-runs/embedded}
BUDGET=${BUDGET:-570}
VAE_MINUTES=${VAE_MINUTES:-2.9}
DEVICE=${DEVICE:-cuda}
EXTRA_VAE=${EXTRA_VAE:-}
EXTRA_DIT=${EXTRA_DIT:-}
start=$(date +%s)
mkdir -p "$RUN" "$OUT"
python - <<'PY'
import torch, transformers, sys
print("python", sys.version.split()[0], "torch", torch.__version__, "transformers", transformers.__version__,
      "cuda", torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else "")
PY

if [ -n "$INIT" ]; then
    vae="$INIT"
    EXTRA_DIT="model.init=$INIT $EXTRA_DIT"
else
    vae="$RUN/vae"
    python -m kinema.training.train_vae --config configs/vae-s.toml data.world="$WORLD" train.out="$RUN/vae" \
        train.minutes="$VAE_MINUTES" train.device="$DEVICE" train.save_every=100000 $EXTRA_VAE 2>&1 | tee "$RUN/vae.log"
    split -b 15M "$RUN/vae/vae.safetensors" "$OUT/vae.safetensors.part-"
    cp "$RUN/vae/vae.json" "$OUT/vae.json"
fi

now=$(date +%s)
dit_minutes=$(python -c "print(max(1.0, ($BUDGET - ($now - $start) - 40) / 60))")
echo "DiT gets $dit_minutes minutes"
python -m kinema.training.train_dit --config configs/dit-s.toml data.world="$WORLD" model.vae="$vae" \
    model.text_encoder_path="$TEXT" train.out="$RUN/dit" train.minutes="$dit_minutes" train.device="$DEVICE" \
    data.save_cache=false train.save_every=100000 $EXTRA_DIT 2>&1 | tee "$RUN/dit.log"
rm -f "$OUT"/vae.safetensors.part-*
split -b 15M "$RUN/dit/checkpoint/model.safetensors" "$OUT/model.safetensors.part-"
cp "$RUN/dit/checkpoint/config.json" "$OUT/config.json"
logs="dit.log dit/loss.csv dit/loss.png dit/training.json dit/samples"
[ -n "$INIT" ] || logs="vae.log vae/loss.csv vae/loss.png $logs"
tar -czf "$OUT/logs.tar.gz" -C "$RUN" $logs
echo "done in $(( $(date +%s) - start )) s"
ls -la "$OUT"
