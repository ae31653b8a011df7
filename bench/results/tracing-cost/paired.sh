#!/bin/bash
# usage: paired.sh LABEL CPFILE BENCHCLASSES A B THREADS REPEATS
label=$1; cpf=$2; bc=$3; a=$4; b=$5; th=$6; rep=$7
CP="$bc:$(cat $cpf)"
for i in $(seq 1 $rep); do
  echo "== $label $a:$b threads=$th run $i start $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
  java -Xmx1g -XX:+UseParallelGC -cp "$CP" dev.pledge.bench.NoopPairedRunOne $a $b $th 10 ${MEASURE:-30} ${SLICE:-500} /tmp/tc/work-$label-$i 2>&1 | grep -E "^(BLOCKS|RESULT|FAILURE)"
  rm -rf /tmp/tc/work-$label-$i
  echo "== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
done
