#!/usr/bin/env bash
# Regenerates the golden files (describe.txt, output.jsonl) of packages/streams/test/golden/<name>/ by running
# each scenario.json through Java Kafka Streams' TopologyTestDriver. Arguments: scenario names (or paths whose
# base name is the scenario) to regenerate only those; none means all.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/../.."

golden=packages/streams/test/golden
ref=scripts/reference

# Quiet on success (Maven's -q still prints stray colour codes); everything on failure.
if ! build=$(mvn -q -B -f "$ref/pom.xml" compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt 2>&1); then
  printf '%s\n' "$build" >&2
  exit 1
fi

dirs=()
if [ $# -eq 0 ]; then
  for d in "$golden"/*/; do
    [ -f "$d/scenario.json" ] && dirs+=("${d%/}")
  done
else
  for a in "$@"; do
    name=$(basename "${a%/}")
    if [ ! -f "$golden/$name/scenario.json" ]; then
      echo "golden.sh: no scenario $golden/$name/scenario.json" >&2
      exit 2
    fi
    dirs+=("$golden/$name")
  done
fi
if [ ${#dirs[@]} -eq 0 ]; then
  echo "golden.sh: no scenarios under $golden" >&2
  exit 2
fi

exec java -cp "$ref/target/classes:$(cat "$ref/target/classpath.txt")" dev.kstreams.reference.RefRunner golden "${dirs[@]}"
