package kernel

import "testing"

func TestFloatSumOrderKind(t *testing.T) {
	tests := []struct {
		name       string
		m, n, k    int
		kind, kc   int
		m8, m4, n4 int
	}{
		{"one channel", 1, 100, 9, sumGEMV, 9, 0, 0, 100},
		{"one pixel", 13, 1, 50, sumGEMV, 50, 8, 12, 0},
		{"one of each", 1, 1, 768, sumGEMV, 768, 0, 0, 0},
		{"tiny", 3, 4, 12, sumGEMV, 12, 0, 0, 4},
		{"smallest gemm", 3, 4, 13, sumGEMM, 13, 0, 0, 4},
		{"largest unblocked k", 8, 4, 680, sumGEMM, 680, 8, 8, 4},
		{"k just over a block", 8, 4, 681, sumGEMM, 344, 8, 8, 4},
		{"k 700", 10, 2, 700, sumGEMM, 352, 8, 8, 0},
		{"k 864 (pose_landmark_full)", 144, 64, 864, sumGEMM, 440, 144, 144, 64},
		{"k 960 (pose_landmark_heavy)", 160, 256, 960, sumGEMM, 488, 160, 160, 256},
		{"k 1632 (pose_landmark_heavy)", 272, 64, 1632, sumGEMM, 552, 272, 272, 64},
		{"k 1360, two whole blocks", 16, 16, 1360, sumGEMM, 680, 16, 16, 16},
		{"39 channels", 39, 4096, 32, sumGEMM, 32, 32, 36, 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newFloatSumOrder(tt.m, tt.n, tt.k)
			if o.kind != tt.kind || o.kc != tt.kc || o.m8 != tt.m8 || o.m4 != tt.m4 || o.n4 != tt.n4 {
				t.Errorf("newFloatSumOrder(%d, %d, %d) = kind %d kc %d m8 %d m4 %d n4 %d, want kind %d kc %d m8 %d m4 %d n4 %d",
					tt.m, tt.n, tt.k, o.kind, o.kc, o.m8, o.m4, o.n4, tt.kind, tt.kc, tt.m8, tt.m4, tt.n4)
			}
		})
	}
}

// TestFloatSumOrder checks each order on products chosen so that the
// orders disagree: b = 1e8 has an ulp of 8, so b+1 rounds back to b, and a
// sum shows which terms met first.
func TestFloatSumOrder(t *testing.T) {
	const b = 1e8
	long := func(k int, at map[int]float32) []float32 {
		x := make([]float32, k)
		for i, v := range at {
			x[i] = v
		}
		return x
	}
	tests := []struct {
		name    string
		m, n    int // the product's shape; K is len(x)
		i, j    int // the output's channel and pixel
		x       []float32
		want    float32
		inOrder float32 // the plain k-order sum, to show the case tells them apart
	}{
		// Lanes (b + -b) + (1 + 1), then the tail 1 + 1.
		{"gemv", 5, 1, 3, 0, []float32{b, 1, -b, 1, 1, 1}, 4, 3},
		{"gemv one channel", 1, 9, 0, 5, []float32{b, 1, -b, 1, 1, 1}, 4, 3},
		// Lanes (1 + 1) + (b + -b).
		{"gemm last channels", 13, 6, 12, 0, []float32{1, 1, b, -b}, 2, 0},
		// Even b + -b, odd 1 + 1.
		{"gemm channels 8 to 11", 13, 6, 9, 0, []float32{b, 1, -b, 1, 0, 0, 0, 0}, 2, 1},
		{"gemm first channels", 13, 6, 0, 0, []float32{b, 1, -b, 1, 0, 0, 0, 0}, 1, 1},
		{"gemm last pixels", 13, 6, 12, 5, []float32{1, 1, b, -b}, 0, 0},
		{"tiny product", 2, 3, 1, 2, []float32{b, 1, -b, 1, 1, 1}, 4, 3},
		// Blocks of 504 and 496: (b + 1) + (-b + 1) = b + -b.
		{"gemm k blocks", 8, 4, 0, 0, long(1000, map[int]float32{0: b, 1: 1, 504: -b, 505: 1}), 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := make([]float32, len(tt.x))
			for i := range w {
				w[i] = 1
			}
			o := newFloatSumOrder(tt.m, tt.n, len(tt.x))
			if got := o.sum(tt.i, tt.j, w, tt.x); got != tt.want {
				t.Errorf("sum = %v, want %v", got, tt.want)
			}
			var seq float32
			for _, v := range tt.x {
				seq += v
			}
			if seq != tt.inOrder {
				t.Errorf("k-order sum = %v, want %v", seq, tt.inOrder)
			}
		})
	}
}
