package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// addVecCase is one set of quantization parameters for the vector ADD.
type addVecCase struct {
	typ          tensor.DType
	scales       [3]float32 // input 1, input 2, output
	zps          [3]int64
	act          schema.ActivationFunctionType
	sub          bool
	wantFallback bool // newAddVec must refuse these parameters
}

func (c addVecCase) String() string {
	op := "add"
	if c.sub {
		op = "sub"
	}
	return fmt.Sprintf("%s_%s_s%v_zp%v_act%d", op, c.typ, c.scales, c.zps, c.act)
}

// params prepares c's addSubParams as newAddSub does.
func (c addVecCase) params(t *testing.T) addSubParams {
	t.Helper()
	a := ewTensor("a", c.typ, c.scales[0], c.zps[0], 4)
	b := ewTensor("b", c.typ, c.scales[1], c.zps[1], 4)
	o := ewTensor("o", c.typ, c.scales[2], c.zps[2], 4)
	n := &Node{Inputs: []*tensor.Tensor{a, b}, Outputs: []*tensor.Tensor{o}}
	p, err := newAddSubParams(n, a, b, o, c.act)
	if err != nil {
		t.Fatalf("%v: %v", c, err)
	}
	return p
}

// addVecCases are hand-picked parameters (mobilenet_v2's residual ADDs,
// equal scales, extreme zero points, each activation, SUB either way)
// and random ones.
func addVecCases() []addVecCase {
	cases := []addVecCase{
		// mobilenet_v2_quantized op 14 and op 75: the exact input second,
		// then first.
		{typ: tensor.Int8, scales: [3]float32{0.02703838, 0.028132502, 0.035842497}, zps: [3]int64{-3, -1, -3}},
		{typ: tensor.Int8, scales: [3]float32{0.058192406, 0.08316214, 0.123036265}, zps: [3]int64{-18, 7, 8}},
		// Equal scales: both inputs exact, every other sum a tie.
		{typ: tensor.Int8, scales: [3]float32{0.5, 0.5, 1}, zps: [3]int64{0, 0, 0}},
		{typ: tensor.Int8, scales: [3]float32{0.5, 0.5, 1}, zps: [3]int64{0, 0, 0}, sub: true},
		{typ: tensor.Uint8, scales: [3]float32{0.25, 0.25, 0.25}, zps: [3]int64{128, 128, 128}},
		// Extreme offsets: |x + off| reaches 255.
		{typ: tensor.Int8, scales: [3]float32{0.03939355, 0.10419496, 0.050945673}, zps: [3]int64{-128, 127, -128}, act: ewActRelu},
		{typ: tensor.Uint8, scales: [3]float32{0.1, 0.013, 0.2}, zps: [3]int64{0, 255, 255}, act: ewActRelu6},
		{typ: tensor.Uint8, scales: [3]float32{0.013, 0.1, 0.09}, zps: [3]int64{255, 0, 3}, sub: true},
		{typ: tensor.Int8, scales: [3]float32{0.013, 0.1, 0.09}, zps: [3]int64{127, -128, -7}, sub: true, act: ewActN1To1},
		// An output scale far above the inputs' needs a right shift
		// beyond the short requantization's: the table path stays.
		{typ: tensor.Int8, scales: [3]float32{0.01, 0.01, 1}, zps: [3]int64{0, 0, 0}, wantFallback: true},
	}
	r := rand.New(rand.NewPCG(11, 7))
	acts := []schema.ActivationFunctionType{ewActNone, ewActRelu, ewActRelu6, ewActN1To1}
	for range 24 {
		c := addVecCase{typ: tensor.Int8, act: acts[r.IntN(len(acts))], sub: r.IntN(3) == 0}
		if r.IntN(2) == 0 {
			c.typ = tensor.Uint8
		}
		base := math.Exp2(-8 + 6*r.Float64())
		for i := range c.scales {
			c.scales[i] = float32(base * math.Exp2(4*r.Float64()-2))
			c.zps[i] = int64(r.IntN(256))
			if c.typ == tensor.Int8 {
				c.zps[i] -= 128
			}
		}
		cases = append(cases, c)
	}
	return cases
}

// TestAddVecExhaustive runs the vector ADD/SUB on every pair of 8-bit
// inputs for each parameter set and compares it with addSubParams.apply,
// the scalar definition of TFLite's arithmetic: in the mode
// fitEstimate chose, in the exact mode, and with the estimate's flag
// window widened so that most steps are redone the exact way.
func TestAddVecExhaustive(t *testing.T) {
	if !addVecCPU() {
		t.Skip("no vector ADD on this machine")
	}
	// All 65536 pairs, plus a tail that is not a whole step.
	const n = 1<<16 + addVecStep - 5
	x, y := make([]byte, n), make([]byte, n)
	for i := range x {
		x[i], y[i] = byte(i>>8), byte(i)
	}
	got := make([]byte, n)
	modes := map[addVecMode]int{}
	for _, c := range addVecCases() {
		p := c.params(t)
		var k *addVecKernel
		if c.typ == tensor.Int8 {
			k = newAddVec[int8](p, c.sub)
		} else {
			k = newAddVec[uint8](p, c.sub)
		}
		if (k == nil) != c.wantFallback {
			t.Fatalf("%v: vector kernel %v, want fallback %v (params %+v)", c, k != nil, c.wantFallback, p)
		}
		if k == nil {
			continue
		}
		modes[k.mode&^addVecWholeRange]++
		check := func(what string, k *addVecKernel) {
			t.Helper()
			clear(got)
			k.run(&p, c.sub, got, x, y, c.typ == tensor.Uint8)
			for i := range got {
				a, b := int32(x[i]), int32(y[i])
				if c.typ == tensor.Int8 {
					a, b = int32(int8(x[i])), int32(int8(y[i]))
				}
				if want := byte(p.apply(a, b, c.sub)); got[i] != want {
					t.Fatalf("%v, %s (mode %d, params %+v): x=%d y=%d: got %d, want %d", c, what, k.mode, p, a, b, got[i], want)
				}
			}
		}
		check("fitted mode", k)
		exact := *k
		exact.mode = addVecExact
		check("exact mode", &exact)
		if k.mode != addVecExact {
			wide := *k
			wide.mode = addVecEstimated | k.mode&addVecWholeRange
			for i := range wide.p.est.window {
				wide.p.est.window[i] = wide.p.est.mask[i] / 4
			}
			check("wide window", &wide)
		}
	}
	t.Logf("parameter sets per fitted mode: %v", modes)
	for _, m := range []addVecMode{addVecExact, addVecEstimate, addVecEstimated} {
		if modes[m] == 0 {
			t.Errorf("no parameter set ran in mode %d", m)
		}
	}
}

// TestAddVecBroadcast checks the vector kernel's broadcast rows (both
// inputs stepping through a row, one repeating an element, a scalar)
// against apply element by element, for ADD and SUB, int8 and uint8.
func TestAddVecBroadcast(t *testing.T) {
	if !addVecCPU() {
		t.Skip("no vector ADD on this machine")
	}
	cases := []struct {
		a, b, out []int
		vec       bool // the vector kernel runs
	}{
		{[]int{2, 3, 1, 40}, []int{1, 3, 5, 40}, []int{2, 3, 5, 40}, true},    // rows in both, outer dims broadcast
		{[]int{2, 3, 5, 1}, []int{1, 3, 5, 37}, []int{2, 3, 5, 37}, true},     // a repeats one element per row
		{[]int{1, 4, 4, 64}, []int{1}, []int{1, 4, 4, 64}, true},              // b is a scalar
		{[]int{64}, []int{3, 1, 64}, []int{3, 1, 64}, true},                   // ranks differ
		{[]int{1, 2, 2, 31}, []int{1, 2, 2, 1}, []int{1, 2, 2, 31}, false},    // rows too short: the table
		{[]int{1, 2, 3, 100}, []int{1, 2, 3, 100}, []int{1, 2, 3, 100}, true}, // equal shapes, with a tail
	}
	r := diffRand{rand.New(rand.NewPCG(3, 4))}
	for _, typ := range []tensor.DType{tensor.Int8, tensor.Uint8} {
		for _, sub := range []bool{false, true} {
			for _, c := range cases {
				t.Run(fmt.Sprintf("%s_sub%v_%v_%v", typ, sub, c.a, c.b), func(t *testing.T) {
					a := r.quantTensor("a", typ, c.a, []float32{0.031}, r.zeroPoint(typ), nil)
					b := r.quantTensor("b", typ, c.b, []float32{0.017}, r.zeroPoint(typ), nil)
					out := r.quantTensor("out", typ, c.out, []float32{0.04}, r.zeroPoint(typ), nil)
					n := &Node{Inputs: []*tensor.Tensor{a, b}, Outputs: []*tensor.Tensor{out}}
					op, err := newAddSub(n, ewActRelu6, sub)
					if err != nil {
						t.Fatal(err)
					}
					vec, p, bc := addQuantParts(op)
					if vec != c.vec {
						t.Fatalf("vector kernel %v, want %v", vec, c.vec)
					}
					if err := op.Eval(); err != nil {
						t.Fatal(err)
					}
					bc.each(func(o, i, j int) {
						x, y := int32(a.Data[i]), int32(b.Data[j])
						if typ == tensor.Int8 {
							x, y = int32(int8(a.Data[i])), int32(int8(b.Data[j]))
						}
						if want := byte(p.apply(x, y, sub)); out.Data[o] != want {
							t.Fatalf("element %d: x=%d y=%d: got %d, want %d", o, x, y, out.Data[o], want)
						}
					})
				})
			}
		}
	}
}

// addQuantParts returns what a quantized ADD/SUB op was prepared with.
func addQuantParts(op Op) (vec bool, p addSubParams, bc *broadcast4) {
	switch k := op.(type) {
	case *addSubQuant[int8]:
		return k.vec != nil, k.p, k.bc
	case *addSubQuant[uint8]:
		return k.vec != nil, k.p, k.bc
	}
	panic(fmt.Sprintf("%T is not a quantized ADD/SUB", op))
}
