; Partial-sum fan-in: a 128-input dense readout split over two cores (64 inputs each); both
; send their accumulators (PSUM) to core 2, which integrates them.
; Classes shown: popcount accumulate, send partial sums (PSUM), barrier, readout.
.chip bw-core-4x4
.model name="psum" timesteps=2 input=[128] encoding=binary threshold=0.5 classes=4

.core 0
    INPUT
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=4, len=1, wmode=0, wq=1, ap=1
    PSUM acc=0, rn=r0, n=4, route=0
    HALT
.synapses
    0x00000000ffffffff 0xffffffff00000000 0x5555555555555555 0xaaaaaaaaaaaaaaaa
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
.route
    2 0 0 0

.core 1
    INPUT
    ACC acc=0, rn=r0, rw=r0, ra=r0, n=4, len=1, wmode=0, wq=1, ap=1
    PSUM acc=0, rn=r0, n=4, route=0
    HALT
.synapses
    0x0f0f0f0f0f0f0f0f 0xf0f0f0f0f0f0f0f0 0x00ff00ff00ff00ff 0xff00ff00ff00ff00
.neurons
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
    0 0 0 1 0 0 0
.route
    2 0 0 0

.core 2
    SYNC                       ; both partial sums have arrived
    INTEG r0, 4, 1
    HALT
.neurons
    0 1 0 1 0 0 0
    0 -1 0 1 0 0 0
    0 0 0 1 0 0 0
    0 2 0 1 0 0 0

.input core=0 base=0 stride=0
    0 0  1 1  2 2  3 3  4 4  5 5  6 6  7 7
    8 8  9 9  10 10  11 11  12 12  13 13  14 14  15 15
    16 16  17 17  18 18  19 19  20 20  21 21  22 22  23 23
    24 24  25 25  26 26  27 27  28 28  29 29  30 30  31 31
    32 32  33 33  34 34  35 35  36 36  37 37  38 38  39 39
    40 40  41 41  42 42  43 43  44 44  45 45  46 46  47 47
    48 48  49 49  50 50  51 51  52 52  53 53  54 54  55 55
    56 56  57 57  58 58  59 59  60 60  61 61  62 62  63 63
.input core=1 base=0 stride=0
    64 0  65 1  66 2  67 3  68 4  69 5  70 6  71 7
    72 8  73 9  74 10  75 11  76 12  77 13  78 14  79 15
    80 16  81 17  82 18  83 19  84 20  85 21  86 22  87 23
    88 24  89 25  90 26  91 27  92 28  93 29  94 30  95 31
    96 32  97 33  98 34  99 35  100 36  101 37  102 38  103 39
    104 40  105 41  106 42  107 43  108 44  109 45  110 46  111 47
    112 48  113 49  114 50  115 51  116 52  117 53  118 54  119 55
    120 56  121 57  122 58  123 59  124 60  125 61  126 62  127 63
.probe layer="out" kind=membrane shape=[4]
.entry core=2 base=0
    0 1 2 3
.readout 0
