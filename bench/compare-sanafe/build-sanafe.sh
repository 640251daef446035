#!/usr/bin/env bash
# Build SANA-FE's standalone command-line simulator (`sim`) in /tmp, offline.
#
# SANA-FE's CMakeLists.txt downloads rapidyaml v0.13.0 and booksim2-sanafe with CMake FetchContent.
# This machine has no route to github.com, so every repository is first brought here as a bare git
# mirror (MIRROR, one directory per owner+name, e.g. by `git clone --mirror`), then checked out at
# the exact commits SANA-FE and its dependencies pin, and FetchContent is pointed at the checkouts
# (FETCHCONTENT_SOURCE_DIR_<NAME>). Nothing of SANA-FE is copied into this project.
#
# Usage: bench/compare-sanafe/build-sanafe.sh [SANAFE_COMMIT]
#   MIRROR   directory of bare mirrors (default /work/.mirror; layout <owner>+<name>/repo)
#   WORK     build area (default /tmp/sanafe-build)
set -euo pipefail
MIRROR=${MIRROR:-/work/.mirror}
WORK=${WORK:-/tmp/sanafe-build}
SANAFE_COMMIT=${1:-8951ab0711676a773261284d2e8c9d995156cb3d}
# Pins: rapidyaml tag from SANA-FE's CMakeLists.txt; c4core and its submodules from rapidyaml's and
# c4core's submodule entries at those commits; booksim commit from SANA-FE's CMakeLists.txt.
RYML_TAG=v0.13.0
BOOKSIM_COMMIT=01016e08fe062085dee9bc9c1919385f8132ead5

co() { # co <owner+name> <commit-ish> <dest>
  # A mirror may lack its largest blobs (e.g. rapidyaml's benchmark inputs); those files are left out
  # of the checkout with a sparse pattern (none of them is needed to build).
  rm -rf "$3"
  git clone -q --no-checkout "$MIRROR/$1/repo" "$3"
  local missing
  missing=$(git -C "$3" ls-tree -r "$2" | awk '$2=="blob"{print $3" "$4}' |
    while read -r sha path; do git -C "$3" cat-file -e "$sha" 2>/dev/null || echo "!/$path"; done)
  if [ -n "$missing" ]; then
    echo "$1: leaving out $(echo "$missing" | wc -l) file(s) absent from the mirror" >&2
    git -C "$3" sparse-checkout set --no-cone '/*' $missing
  fi
  git -C "$3" -c advice.detachedHead=false checkout -q "$2"
}
sub() { # sub <repo dir> <submodule path> <owner+name>: check out the commit the parent pins
  local pin
  pin=$(git -C "$1" ls-tree HEAD "$2" | awk '{print $3}')
  co "$3" "$pin" "$1/$2"
}

mkdir -p "$WORK"
co SLAM-Lab+SANA-FE "$SANAFE_COMMIT" "$WORK/sanafe"
co biojppm+rapidyaml "$RYML_TAG" "$WORK/rapidyaml"
sub "$WORK/rapidyaml" ext/c4core biojppm+c4core
sub "$WORK/rapidyaml/ext/c4core" cmake biojppm+cmake
sub "$WORK/rapidyaml/ext/c4core" src/c4/ext/debugbreak biojppm+debugbreak
sub "$WORK/rapidyaml/ext/c4core" src/c4/ext/fast_float fastfloat+fast_float
co SLAM-Lab+booksim2-sanafe "$BOOKSIM_COMMIT" "$WORK/booksim"

mkdir -p "$WORK/sanafe/build"
cd "$WORK/sanafe/build"
# Release build of the command-line simulator only (no Python bindings: PyPI/pybind11 not needed).
cmake .. -DCMAKE_BUILD_TYPE=Release \
  -DSTANDALONE_BUILD_ENABLED=ON -DPYTHON_BUILD_ENABLED=OFF \
  -DFETCHCONTENT_FULLY_DISCONNECTED=ON \
  -DFETCHCONTENT_SOURCE_DIR_RYML="$WORK/rapidyaml" \
  -DFETCHCONTENT_SOURCE_DIR_BOOKSIM="$WORK/booksim"
make -j"${JOBS:-1}" sim
make install >/dev/null
echo "built: $WORK/sanafe/sim (SANA-FE $(git -C "$WORK/sanafe" rev-parse HEAD))"
