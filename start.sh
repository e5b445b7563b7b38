#!/bin/sh
# The spec's entry point: ./start.sh dev runs the service (same as npm start); ./start.sh demo runs it on the simulator.
set -e
cd "$(dirname "$0")"
case "${1:-dev}" in
  dev | start | live) shift 2>/dev/null || true; exec npm start -- "$@" ;;
  demo) shift; exec npm run demo -- "$@" ;;
  *) echo "usage: ./start.sh [dev|demo] [serve flags...]" >&2; exit 2 ;;
esac
