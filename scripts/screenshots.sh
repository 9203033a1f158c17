#!/usr/bin/env bash
# Starts the real desktop wallet under Xvfb, drives it by keyboard to each main screen (as a
# person without a mouse would: Ctrl+1..6, Ctrl+V, Ctrl+Enter, Ctrl+Shift+C) and saves
# screenshots into docs/screenshots/. A bank, a holder and a lender are set up with the `siegel`
# CLI on one embedded chain first; the app then opens the holder's wallet.
#
# Needs: xvfb, xdotool, xclip, imagemagick, and the Mesa drivers (the test script installs the
# drivers; this script installs the rest when missing). Usage: ./scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/siegel/target}"

need=()
for tool in Xvfb:xvfb xdotool:xdotool xclip:xclip import:imagemagick; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" \
    libegl1 libegl-mesa0 libgl1-mesa-dri mesa-vulkan-drivers >/dev/null
fi

# SIEGEL_SCREENSHOT_PROFILE=release measures the binaries people run (a longer build).
profile="${SIEGEL_SCREENSHOT_PROFILE:-debug}"
if [ "$profile" = release ]; then
  cargo build --quiet --release -p wallet-cli -p wallet-gui
else
  cargo build --quiet -p wallet-cli -p wallet-gui
fi
bin="$CARGO_TARGET_DIR/$profile"
work="$(mktemp -d)"
out="docs/screenshots"
mkdir -p "$out"
export SIEGEL_KDF=minimum SIEGEL_PASSPHRASE="violet tundra ladle quorum"
chain="dev:$work/chain"
siegel() { "$bin/siegel" --chain "$chain" "$@"; }

echo "==> the bank, the holder and the lender (siegel CLI)"
# The holder's vault has the default Argon2id parameters (about a second), so the frames measured
# while the app unlocks it are frames during a real key derivation.
holder_did="$(SIEGEL_KDF=default siegel --data-dir "$work/holder" --json init \
  | sed -n 's/.*"did": *"\([^"]*\)".*/\1/p')"
bank_did="$(siegel --data-dir "$work/bank" --json issuer init --name "Example Bank KYC desk" \
  | sed -n 's/.*"did": *"\([^"]*\)".*/\1/p')"
cat > "$work/claims.json" <<'JSON'
{ "givenName": "Ada", "familyName": "Lovelace", "birthDate": "1990-12-10", "ageOver18": true,
  "ageOver21": true, "nationality": "GB", "countryOfResidence": "DE", "incomeBand": "40k-60k",
  "kycLevel": "enhanced", "documentType": "passport", "verifiedAt": "2026-11-20T09:30:00Z" }
JSON
siegel --data-dir "$work/bank" issuer issue --claims "$work/claims.json" --subject "$holder_did" \
  --out "$work/kyc.json" >/dev/null
siegel --data-dir "$work/holder" holder import "$work/kyc.json" >/dev/null
siegel --data-dir "$work/holder" verifier trust add "$bank_did" >/dev/null
siegel --data-dir "$work/lender" verifier request --claims ageOver18 --optional incomeBand,nationality \
  --domain loans.lender.example --purpose "Loan application: proof of age and income band" \
  --out "$work/request.json" >/dev/null

echo "==> the app under Xvfb"
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1100x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
app=""
cleanup() {
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export DISPLAY="$display"
sleep 1
SIEGEL_WALLET_TIMING=1 SIEGEL_WALLET_SETTINGS="$work/settings.json" \
  "$bin/siegel-wallet" --data-dir "$work/holder" --chain "$chain" 2>"$work/app.log" &
app=$!
for _ in $(seq 1 100); do
  window="$(xdotool search --name '^Siegel$' 2>/dev/null | head -1 || true)"
  [ -n "$window" ] && break
  sleep 0.2
done
[ -n "${window:-}" ] || { echo "the window never appeared" >&2; cat "$work/app.log" >&2; exit 1; }
xdotool windowsize "$window" 1100 800 windowmove "$window" 0 0
# No window manager: give the window the keyboard focus (and the pointer) directly. Keys are
# then sent through XTEST, as from a real keyboard (synthetic --window events are ignored).
xdotool mousemove 1050 60 windowfocus --sync "$window" 2>/dev/null
shot() { sleep "${2:-1.5}"; import -window root "$out/$1.png"; echo "    $out/$1.png"; }
key() { xdotool key --clearmodifiers "$@" 2>/dev/null; }
paste_file() { xclip -selection clipboard -i < "$1"; sleep 1; key ctrl+v; }

shot unlock 2
xdotool type --delay 20 "$SIEGEL_PASSPHRASE" 2>/dev/null; key Return
shot unlocking 0.2
shot credentials 3
key ctrl+2; sleep 1; paste_file "$work/request.json"
shot present-preview 2
key ctrl+Return
shot present-done 3
key ctrl+3; shot history
key ctrl+4; shot identity 3
# The wallet as a verifier: make a request, answer it with this same wallet, verify the answer.
key ctrl+5; shot verify-request-form
key ctrl+Return; sleep 1; key ctrl+shift+c; sleep 0.5
xclip -selection clipboard -o > "$work/own-request.json"
key ctrl+2; sleep 1; paste_file "$work/own-request.json"; sleep 2; key ctrl+Return; sleep 3
key ctrl+shift+c; sleep 0.5; xclip -selection clipboard -o > "$work/own-presentation.json"
key ctrl+5; sleep 1; paste_file "$work/own-presentation.json"
shot verify-report 3
key ctrl+6; shot settings
key ctrl+q
for _ in $(seq 1 50); do kill -0 "$app" 2>/dev/null || break; sleep 0.2; done
app=""
grep "siegel-wallet timing" "$work/app.log" || { echo "the app wrote:" >&2; cat "$work/app.log" >&2; }
