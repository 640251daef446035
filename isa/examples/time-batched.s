; Time-batched (layer-major) schedule with event-driven rows (issue 13; docs/timing.md).
; At step 0 every layer runs once over all T = 3 steps; at steps 1 and 2 the programs halt at once
; (STEP, ADDI, BNZD). Core 0: 4 neurons with event rows (ACCE tb=1: one row of the targets' weight
; bits per input bit, 64 rows for the 64 bits of the axon word, each read once per inference), a
; shortcut of the input (ACCST), FIRET over the 3 steps (state read and written once), SENDT of the
; spike trains into the time slots of core 1 (slot stride r2 = 4 axon words). Core 1: the readout
; with dense rows, time-batched (ACCT reads each weight word once for the 3 slots, INTEGT).
; Classes shown: STEP, ACCE, ACCST, FIRET, SENDT, ACCT, INTEGT.
.chip bw-core-4x4 meshX=2 meshY=1
.model name="time-batched" timesteps=3 input=[4] encoding=binary threshold=0.5 classes=2

.core 0
    INPUT
    STEP r1
    ADDI r1, r1, 1
    BNZD r1, done
    ACCE acc=0, rn=r0, rw=r0, ra=r0, rs=r0, n=4, len=1, wmode=0, wq=1, ap=1, tb=1
    ACCST acc=1, rn=r0, ra=r0, rs=r0, n=4, g=4, cw=1
    FIRET r0, 4, 1
    LI r2, 4
    SENDT rn=r0, n=4, route=0, g=4, cw=1, rs=r2
done:
    HALT
.synapses
    0x0000000000000003 0x0000000000000006 0x000000000000000c 0x0000000000000009 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
    0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
    0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
    0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
    0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
    0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
    0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
    0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000000
.neurons
    ; theta bias vreset g0 g1 leak flags
    3 0 0 1 1 0 0
    3 0 0 1 1 0 0
    3 0 0 1 1 0 0
    3 0 0 1 1 0 0
.route
    1 0 0 0

.core 1
    STEP r1
    ADDI r1, r1, 1
    BNZD r1, done
    SYNC
    LI r2, 4
    ACCT acc=0, rn=r0, rw=r0, ra=r0, rs=r2, n=2, len=1, wmode=0, wq=1, ap=1
    INTEGT r0, 2, 0
done:
    HALT
.synapses
    0x0000000000000003 0x000000000000000c
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0

.input core=0 base=0 stride=0
    0 0  1 1  2 2  3 3
.probe layer="hidden" kind=spikes shape=[4]
.entry core=0 base=0
    0 1 2 3
.probe layer="out" kind=membrane shape=[2]
.entry core=1 base=0
    0 1
.readout 1
