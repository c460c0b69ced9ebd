#!/bin/sh
# Builds the Jayway JsonPath 2.0.0 oracle from a checkout of github.com/json-path/JsonPath.
# Usage: build.sh JSONPATH_GIT_DIR OUT_DIR    (needs javac 11+ and /usr/share/java/slf4j-api.jar)
# Then:  python3 generate.py 2000 1 | java -cp OUT_DIR/classes:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar Oracle
set -eu
repo=$1; out=$2; here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/src" "$out/classes"
git -C "$repo" archive json-path-2.0.0 json-path/src/main/java | tar x -C "$out/src"
base="$out/src/json-path/src/main/java/com/jayway/jsonpath"
# The JSON libraries of the original providers are not needed: maps and lists stand in for them.
rm "$base"/spi/json/GsonJsonProvider.java "$base"/spi/json/JacksonJsonNodeJsonProvider.java \
   "$base"/spi/json/JacksonJsonProvider.java "$base"/spi/json/JsonSmartJsonProvider.java \
   "$base"/spi/mapper/GsonMappingProvider.java "$base"/spi/mapper/JacksonMappingProvider.java \
   "$base"/spi/mapper/JsonSmartMappingProvider.java
cp "$here/PlainJsonProvider.java" "$base/spi/json/"
cp "$here/DefaultsImpl.java" "$base/internal/"
javac -nowarn -encoding UTF-8 -cp /usr/share/java/slf4j-api.jar -d "$out/classes" \
  $(find "$out/src" -name '*.java') "$here/Oracle.java"
