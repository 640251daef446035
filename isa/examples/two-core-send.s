; Two cores on the mesh: a dense binary layer of 4 IF neurons on core 0 sends its spikes
; through the network to a 2-class readout on core 1.
; Classes shown: spike input (INPUT), popcount accumulate (ACC), integrate-and-fire with bias
; (FIRE b=1), send (SEND), barrier (SYNC), readout (INTEG), halt (HALT).
.chip bw-core-4x4 meshX=2 meshY=1
.model name="two-core" timesteps=4 input=[8] encoding=binary threshold=0.5 classes=2

.core 0
    INPUT                      ; wait for this step's input spikes (axon word 0)
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=4, len=1, wmode=0, wq=1, ap=1
    FIRE r0, 4, 1              ; neurons 0..3, add bias
    SEND rn=r0, n=4, route=0, g=4, cw=1
    HALT
.synapses                      ; one 64-bit weight row per neuron, bit i = +1 for input i
    0x00000000000000f0 0x000000000000000f 0x00000000000000aa 0x0000000000000055
.neurons
    ; theta bias vreset g0 g1 leak flags
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
    3 -1 0 1 0 0 1
    3 -1 0 1 0 1 0
.route                         ; list 0: core base flags bitOffset
    1 0 0 0

.core 1
    SYNC                       ; core 0 has halted and every flit has arrived
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=2, len=1, wmode=0, wq=1, ap=1
    INTEG r0, 2, 0
    HALT
.synapses
    0x0000000000000003 0x000000000000000c
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0

.input core=0 base=0 stride=0  ; element bit pairs
    0 0  1 1  2 2  3 3  4 4  5 5  6 6  7 7
.probe layer="hidden" kind=spikes shape=[4]
.entry core=0 base=0
    0 1 2 3
.probe layer="out" kind=membrane shape=[2]
.entry core=1 base=0
    0 1
.readout 1
