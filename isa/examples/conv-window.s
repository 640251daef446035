; Convolution with shared weights: a 1x6x6 binary input, 2 output channels, 3x3 kernels,
; stride 1, no padding -> 4x4x2 = 32 IF neurons on core 0, one ACCW instruction (window mode:
; the 2 kernels are stored once, never unrolled per output position), then a dense readout.
; Classes shown: window accumulate (CFGW + ACCW), registers (LI), IF, send, readout.
.chip bw-core-4x4
.model name="conv" timesteps=2 input=[1, 6, 6] encoding=binary threshold=0.5 classes=2

.core 0
    INPUT
    CFGW inh=6, inw=6, cw=1, kh=3, kw=3, sh=1, sw=1, ph=0, pw=0
    LI r1, 0                   ; first output row
    ACCW acc=0, rn=r0, rw=r0, ra=r0, ry=r1, oh=4, cout=2, wmode=0, wq=1, ap=1
    FIRE r0, 32, 0
    SEND rn=r0, n=32, route=0, g=32, cw=1
    HALT
.synapses                      ; kernel of channel 0 (9 positions), then channel 1
    0x0000000000000001 0x0000000000000001 0x0000000000000001 0x0000000000000000 0x0000000000000000 0x0000000000000000 0x0000000000000001 0x0000000000000001 0x0000000000000001 0x0000000000000001 0x0000000000000000 0x0000000000000001 0x0000000000000001 0x0000000000000000 0x0000000000000001 0x0000000000000001 0x0000000000000000 0x0000000000000001
.neurons
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
    3 0 0 1 0 0 0
.route
    1 0 0 0

.core 1
    SYNC
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=2, len=1, wmode=0, wq=1, ap=1
    INTEG r0, 2, 0
    HALT
.synapses
    0x000000000000ffff 0x00000000ffff0000
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0

.input core=0 base=0 stride=0  ; pixel (h, w) -> bit 0 of axon word h*6+w
    0 0  1 64  2 128  3 192  4 256  5 320
    6 384  7 448  8 512  9 576  10 640  11 704
    12 768  13 832  14 896  15 960  16 1024  17 1088
    18 1152  19 1216  20 1280  21 1344  22 1408  23 1472
    24 1536  25 1600  26 1664  27 1728  28 1792  29 1856
    30 1920  31 1984  32 2048  33 2112  34 2176  35 2240
.probe layer="conv" kind=spikes shape=[4, 4, 2]
.entry core=0 base=0
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
    16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
.probe layer="out" kind=membrane shape=[2]
.entry core=1 base=0
    0 1
.readout 1
