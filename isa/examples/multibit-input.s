; Direct (multibit) input encoding: each of the 8 inputs is a 4-bit unsigned integer fed
; bit-serially; plane p of the input sits in axon word p (plane stride 1) and ACC with ap=4
; weights plane p by 2^p. Weights are 2-bit two's complement (wmode=2, wq=2).
; Classes shown: spike input (multibit), bit-serial popcount accumulate, readout.
.chip bw-core-4x4 meshX=1 meshY=1
.model name="multibit" timesteps=1 input=[8] encoding=multibit bits=4 classes=2

.core 0
    INPUT
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=2, len=1, wmode=2, wq=2, ap=4
    INTEG r0, 2, 1
    HALT
.synapses                      ; neuron 0: planes q=0,1; neuron 1: planes q=0,1
    0x00000000000000ff 0x000000000000000f 0x0000000000000055 0x00000000000000f0
.neurons
    0 5 0 1 0 0 0
    0 -5 0 1 0 0 0

.input core=0 base=0 stride=1
    0 0  1 1  2 2  3 3  4 4  5 5  6 6  7 7
.probe layer="out" kind=membrane shape=[2]
.entry core=0 base=0
    0 1
.readout 0
