; Registers and loops: a counted BNZD loop walks 4 groups of 2 neurons, advancing the
; neuron and synapse bases with ADDI; ADD and JMP are shown too.
; Classes shown: registers and loops (LI, ADDI, ADD, BNZD, JMP, NOP), accumulate, IF, send.
.chip bw-core-4x4 meshX=2 meshY=2
.model name="loops" timesteps=3 input=[32] encoding=binary threshold=0.5 classes=2

.core 0
    INPUT
    LI r1, 4                   ; loop counter: 4 groups
    LI r2, 0                   ; neuron base
    LI r3, 0                   ; synapse word base
group:
    ACC acc=0, rn=r2, rw=r3, ra=r0, n=2, len=1, wmode=0, wq=1, ap=1
    ADDI r2, r2, 2
    ADDI r3, r3, 2
    BNZD r1, group             ; r1 -= 1; loop while r1 != 0
    ADD r4, r0, r0             ; r4 = 0
    FIRE r4, 8, 0
    JMP send
    NOP                        ; skipped
send:
    SEND rn=r0, n=8, route=0, g=8, cw=1
    HALT
.synapses
    0x00000000000000ff 0x000000000000ff00 0x0000000000ff0000 0x00000000ff000000
    0x000000000000000f 0x00000000000000f0 0x0000000000000f00 0x000000000000f000
.neurons
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
    2 0 0 1 0 0 0
.route
    3 0 0 0

.core 3
    SYNC
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=2, len=1, wmode=0, wq=1, ap=1
    INTEG r0, 2, 0
    HALT
.synapses
    0x000000000000000f 0x00000000000000f0
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0

.input core=0 base=0 stride=0
    0 0  1 1  2 2  3 3  4 4  5 5  6 6  7 7
    8 8  9 9  10 10  11 11  12 12  13 13  14 14  15 15
    16 16  17 17  18 18  19 19  20 20  21 21  22 22  23 23
    24 24  25 25  26 26  27 27  28 28  29 29  30 30  31 31
.probe layer="hidden" kind=spikes shape=[8]
.entry core=0 base=0
    0 1 2 3 4 5 6 7
.probe layer="out" kind=membrane shape=[2]
.entry core=3 base=0
    0 1
.readout 1
