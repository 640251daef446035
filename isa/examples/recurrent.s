; A recurrent layer: 4 LIF neurons on core 0 read the input (axon word 0) and their own
; spikes of the previous step (axon word 1), delivered through a routing destination marked
; next-step (flags=1). Rows are 2 words long (len=2): input weights, then recurrent weights.
; Classes shown: send with a next-step route, leak (LIF), hard reset, readout.
.chip bw-core-4x4
.model name="recurrent" timesteps=8 input=[16] encoding=binary threshold=0.5 classes=3

.core 0
    INPUT
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=4, len=2, wmode=0, wq=1, ap=1
    FIRE r0, 4, 0
    SEND rn=r0, n=4, route=0, g=4, cw=1   ; to myself, next step, axon word 1
    SEND rn=r0, n=4, route=1, g=4, cw=1   ; to the readout, this step
    HALT
.synapses
    0x000000000000f00f 0x0000000000000001 0x0000000000000ff0 0x0000000000000002
    0x0000000000003c3c 0x0000000000000004 0x000000000000c3c3 0x0000000000000008
.neurons
    ; theta bias vreset g0 g1 leak flags
    4 0 0 1 0 2 1
    4 0 0 1 0 2 1
    4 0 0 1 0 2 1
    4 0 0 1 0 2 1
.route                         ; list 0: recurrent edge
    0 1 1 0
.route                         ; list 1: forward edge
    5 0 0 0

.core 5
    SYNC
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=3, len=1, wmode=0, wq=1, ap=1
    INTEG r0, 3, 0
    HALT
.synapses
    0x0000000000000003 0x0000000000000006 0x000000000000000c
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0

.input core=0 base=0 stride=0
    0 0  1 1  2 2  3 3  4 4  5 5  6 6  7 7
    8 8  9 9  10 10  11 11  12 12  13 13  14 14  15 15
.probe layer="rec" kind=spikes shape=[4]
.entry core=0 base=0
    0 1 2 3
.probe layer="out" kind=membrane shape=[3]
.entry core=5 base=0
    0 1 2
.readout 1
