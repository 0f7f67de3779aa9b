package tflite_test

import "math"

// Straightforward float implementations of the ops, written from TFLite's
// operator definitions, as the independent expectation for float graphs.
// Layouts are NHWC, C order.

// shape4 holds an NHWC shape.
type shape4 struct{ n, h, w, c int }

func (s shape4) at(b, y, x, c int) int { return ((b*s.h+y)*s.w+x)*s.c + c }

// samePad returns the leading padding of TFLite's SAME padding.
func samePad(same bool, in, filter, stride, dilation, out int) int {
	if !same {
		return 0
	}
	eff := (filter-1)*dilation + 1
	return max(0, ((out-1)*stride+eff-in)/2)
}

// outSize returns the output extent of a convolution or pool.
func outSize(same bool, in, filter, stride, dilation int) int {
	if same {
		return (in + stride - 1) / stride
	}
	eff := (filter-1)*dilation + 1
	return (in - eff + stride) / stride
}

type convGeom struct {
	same             bool
	stride, dilation int
}

// refConv2D computes CONV_2D: filter [O, KH, KW, C], bias [O] or nil.
func refConv2D(in []float32, is shape4, filter []float32, fs shape4, bias []float32, g convGeom, lo, hi float32) ([]float32, shape4) {
	os := shape4{is.n, outSize(g.same, is.h, fs.h, g.stride, g.dilation), outSize(g.same, is.w, fs.w, g.stride, g.dilation), fs.n}
	padY := samePad(g.same, is.h, fs.h, g.stride, g.dilation, os.h)
	padX := samePad(g.same, is.w, fs.w, g.stride, g.dilation, os.w)
	out := make([]float32, os.n*os.h*os.w*os.c)
	for b := 0; b < os.n; b++ {
		for y := 0; y < os.h; y++ {
			for x := 0; x < os.w; x++ {
				for o := 0; o < os.c; o++ {
					var sum float64
					if bias != nil {
						sum = float64(bias[o])
					}
					for ky := 0; ky < fs.h; ky++ {
						for kx := 0; kx < fs.w; kx++ {
							iy, ix := y*g.stride-padY+ky*g.dilation, x*g.stride-padX+kx*g.dilation
							if iy < 0 || iy >= is.h || ix < 0 || ix >= is.w {
								continue
							}
							for c := 0; c < is.c; c++ {
								sum += float64(in[is.at(b, iy, ix, c)]) * float64(filter[fs.at(o, ky, kx, c)])
							}
						}
					}
					out[os.at(b, y, x, o)] = clampF(float32(sum), lo, hi)
				}
			}
		}
	}
	return out, os
}

// refDepthwise computes DEPTHWISE_CONV_2D: filter [1, KH, KW, C×M].
func refDepthwise(in []float32, is shape4, filter []float32, fs shape4, bias []float32, mult int, g convGeom, lo, hi float32) ([]float32, shape4) {
	os := shape4{is.n, outSize(g.same, is.h, fs.h, g.stride, g.dilation), outSize(g.same, is.w, fs.w, g.stride, g.dilation), is.c * mult}
	padY := samePad(g.same, is.h, fs.h, g.stride, g.dilation, os.h)
	padX := samePad(g.same, is.w, fs.w, g.stride, g.dilation, os.w)
	out := make([]float32, os.n*os.h*os.w*os.c)
	for b := 0; b < os.n; b++ {
		for y := 0; y < os.h; y++ {
			for x := 0; x < os.w; x++ {
				for oc := 0; oc < os.c; oc++ {
					ic := oc / mult
					var sum float64
					if bias != nil {
						sum = float64(bias[oc])
					}
					for ky := 0; ky < fs.h; ky++ {
						for kx := 0; kx < fs.w; kx++ {
							iy, ix := y*g.stride-padY+ky*g.dilation, x*g.stride-padX+kx*g.dilation
							if iy < 0 || iy >= is.h || ix < 0 || ix >= is.w {
								continue
							}
							sum += float64(in[is.at(b, iy, ix, ic)]) * float64(filter[fs.at(0, ky, kx, oc)])
						}
					}
					out[os.at(b, y, x, oc)] = clampF(float32(sum), lo, hi)
				}
			}
		}
	}
	return out, os
}

// refPool computes AVERAGE_POOL_2D (avg) or MAX_POOL_2D over cells inside
// the input only.
func refPool(in []float32, is shape4, fh, fw int, g convGeom, avg bool) ([]float32, shape4) {
	os := shape4{is.n, outSize(g.same, is.h, fh, g.stride, 1), outSize(g.same, is.w, fw, g.stride, 1), is.c}
	padY := samePad(g.same, is.h, fh, g.stride, 1, os.h)
	padX := samePad(g.same, is.w, fw, g.stride, 1, os.w)
	out := make([]float32, os.n*os.h*os.w*os.c)
	for b := 0; b < os.n; b++ {
		for y := 0; y < os.h; y++ {
			for x := 0; x < os.w; x++ {
				for c := 0; c < os.c; c++ {
					sum, best, n := 0.0, math.Inf(-1), 0
					for ky := 0; ky < fh; ky++ {
						for kx := 0; kx < fw; kx++ {
							iy, ix := y*g.stride-padY+ky, x*g.stride-padX+kx
							if iy < 0 || iy >= is.h || ix < 0 || ix >= is.w {
								continue
							}
							v := float64(in[is.at(b, iy, ix, c)])
							sum += v
							best = math.Max(best, v)
							n++
						}
					}
					if avg {
						out[os.at(b, y, x, c)] = float32(sum / float64(n))
					} else {
						out[os.at(b, y, x, c)] = float32(best)
					}
				}
			}
		}
	}
	return out, os
}

// refFullyConnected computes FULLY_CONNECTED: x [batch, depth], w [units,
// depth], bias [units] or nil.
func refFullyConnected(x []float32, batch int, w []float32, units int, bias []float32, lo, hi float32) []float32 {
	depth := len(x) / batch
	out := make([]float32, batch*units)
	for b := 0; b < batch; b++ {
		for u := 0; u < units; u++ {
			var sum float64
			if bias != nil {
				sum = float64(bias[u])
			}
			for d := 0; d < depth; d++ {
				sum += float64(x[b*depth+d]) * float64(w[u*depth+d])
			}
			out[b*units+u] = clampF(float32(sum), lo, hi)
		}
	}
	return out
}

// refSoftmax computes SOFTMAX over the last dimension of size n.
func refSoftmax(x []float32, n int, beta float64) []float32 {
	out := make([]float32, len(x))
	for r := 0; r < len(x); r += n {
		m := math.Inf(-1)
		for _, v := range x[r : r+n] {
			m = math.Max(m, float64(v))
		}
		var sum float64
		for _, v := range x[r : r+n] {
			sum += math.Exp((float64(v) - m) * beta)
		}
		for i, v := range x[r : r+n] {
			out[r+i] = float32(math.Exp((float64(v)-m)*beta) / sum)
		}
	}
	return out
}

// refBroadcast applies f element-wise with NumPy broadcasting of b's shape
// against a's (b's rank ≤ a's rank; a's shape is the output shape).
func refBroadcast(a []float32, as []int, b []float32, bs []int, f func(x, y float64) float64) []float32 {
	out := make([]float32, len(a))
	rank := len(as)
	bfull := make([]int, rank)
	for i := range bfull {
		bfull[i] = 1
	}
	copy(bfull[rank-len(bs):], bs)
	idx := make([]int, rank)
	for i := range out {
		// Decompose i into a's index, then fold it into b's.
		rem := i
		for d := rank - 1; d >= 0; d-- {
			idx[d] = rem % as[d]
			rem /= as[d]
		}
		bi := 0
		for d := 0; d < rank; d++ {
			k := idx[d]
			if bfull[d] == 1 {
				k = 0
			}
			bi = bi*bfull[d] + k
		}
		out[i] = float32(f(float64(a[i]), float64(b[bi])))
	}
	return out
}

func mapF(x []float32, f func(float64) float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(f(float64(v)))
	}
	return out
}

func clampF(v, lo, hi float32) float32 { return min(max(v, lo), hi) }

// refResizeBilinear follows TFLite's reference ResizeBilinear.
func refResizeBilinear(in []float32, is shape4, oh, ow int, alignCorners, halfPixel bool) []float32 {
	os := shape4{is.n, oh, ow, is.c}
	scale := func(i, o int) float32 {
		if alignCorners && o > 1 {
			return float32(i-1) / float32(o-1)
		}
		return float32(i) / float32(o)
	}
	interp := func(v int, s float32, size int) (float32, int, int) {
		var f float32
		if halfPixel {
			f = (float32(v)+0.5)*s - 0.5
		} else {
			f = float32(v) * s
		}
		lo := max(int(math.Floor(float64(f))), 0)
		hi := min(int(math.Ceil(float64(f))), size-1)
		return f, lo, hi
	}
	sy, sx := scale(is.h, oh), scale(is.w, ow)
	out := make([]float32, os.n*os.h*os.w*os.c)
	for b := 0; b < os.n; b++ {
		for y := 0; y < oh; y++ {
			fy, y0, y1 := interp(y, sy, is.h)
			for x := 0; x < ow; x++ {
				fx, x0, x1 := interp(x, sx, is.w)
				dy, dx := fy-float32(y0), fx-float32(x0)
				for c := 0; c < is.c; c++ {
					out[os.at(b, y, x, c)] = in[is.at(b, y0, x0, c)]*(1-dy)*(1-dx) +
						in[is.at(b, y1, x0, c)]*dy*(1-dx) +
						in[is.at(b, y0, x1, c)]*(1-dy)*dx +
						in[is.at(b, y1, x1, c)]*dy*dx
				}
			}
		}
	}
	return out
}
