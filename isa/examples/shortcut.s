; A binary layer with a shortcut (SEI: a shortcut around every binary layer): acc0 gets the
; binary synapses (gain g0 = 4, i.e. 2 fractional bits), acc1 the identity shortcut of the
; input spikes (ACCS, gain g1 = 2); FIRE adds the bias (b=1).
; Classes shown: identity accumulate (ACCS), two accumulator banks with gains, bias, IF, send.
.chip bw-core-4x4 meshX=2 meshY=1
.model name="shortcut" timesteps=2 input=[4] encoding=binary threshold=0.5 classes=4

.core 0
    INPUT
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=4, len=1, wmode=0, wq=1, ap=1
    ACCS acc=1, rn=r0, ra=r0, n=4, g=4, cw=1
    FIRE r0, 4, 1
    SEND rn=r0, n=4, route=0, g=4, cw=1
    HALT
.synapses
    0x0000000000000003 0x0000000000000006 0x000000000000000c 0x0000000000000009
.neurons
    ; theta bias vreset g0 g1 leak flags
    6 -1 0 4 2 0 0
    6 -1 0 4 2 0 0
    6 -1 0 4 2 0 0
    6 -1 0 4 2 0 0
.route
    1 0 0 0

.core 1
    SYNC
    ACCS acc=0, rn=r0, ra=r0, n=4, g=4, cw=1
    INTEG r0, 4, 0
    HALT
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0

.input core=0 base=0 stride=0
    0 0  1 1  2 2  3 3
.probe layer="block" kind=spikes shape=[4]
.entry core=0 base=0
    0 1 2 3
.probe layer="out" kind=membrane shape=[4]
.entry core=1 base=0
    0 1 2 3
.readout 1
