#!/usr/bin/env bash
# Prepares the GPU check HERE (any Linux x86-64 machine with Java 17 and Maven): builds the CUDA engine, makes a
# small Java runtime with jlink (the GPU machine has none), and exports the bench's models with reference outputs
# computed by DL4J on this CPU, all into .gpu/ at the repository root (ignored by git, about 55 MB).
# Then run .gpu/run.sh on the GPU machine (.gpu/ holds everything the run needs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
jlink_bin="${JAVA_HOME:+$JAVA_HOME/bin/}jlink"
echo "Building engine-cuda and the bench..." >&2
mvn -B -q -pl benchmarks,engine-cuda -am package -DskipTests
rm -rf .gpu
mkdir -p .gpu/lib .gpu/data
cp engine-cuda/target/seqstream-engine-cuda-*.jar engine-cuda/target/lib/*.jar .gpu/lib/
echo "Making a Java runtime with jlink..." >&2
"$jlink_bin" --add-modules java.base,java.management,jdk.unsupported --strip-debug --no-header-files \
  --no-man-pages --compress=2 --output .gpu/jre
echo "Exporting the bench's models and DL4J's reference outputs..." >&2
java -Djava.io.tmpdir="${TMPDIR:-/tmp}" -cp benchmarks/target/seqstream-bench.jar io.seqstream.bench.CudaFixtures \
  .gpu/data 2>&1 | grep -v -e ' INFO ' -e '^[A-Z_]*$' -e '^HAVE_' -e 'ENGINE' >&2 || true
cp engine-cuda/gpu/run.sh engine-cuda/gpu/torch_cuda_peer.py engine-cuda/gpu/summarize.py .gpu/
ls .gpu/data/large.weights .gpu/data/small.reference >/dev/null
echo "Checking the runtime and the files without a GPU (host parity)..." >&2
.gpu/jre/bin/java -cp ".gpu/lib/*" io.seqstream.engine.cuda.CudaCheck .gpu/data --quick | tail -n 3 >&2 || true
du -sh .gpu >&2
