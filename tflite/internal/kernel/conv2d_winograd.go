package kernel

import (
	"unsafe"

	"github.com/edgefleet/edgefleet/tflite/internal/parallel"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

// conv2DWinograd runs a quantized 3×3, stride 1, dilation 1 CONV_2D as
// Winograd F(2×2, 3×3) in exact integer arithmetic: per 2×2 block of
// output pixels (a tile) 16 multiplies per input/output channel pair
// instead of 36, on the same int16 dot kernels as conv2DGemm.
//
// Exactness. Let acc be TFLite's accumulator for one output, the integer
// Σ (w + filterOffset)·(x + inputOffset) over in-bounds taps (padding taps
// are 0 once offset, so the tile reads them as 0). With U = 2G g 2Gᵀ and
// V = Bᵀ d B (winograd_transform.go) the polynomial identity
// Aᵀ[Σ_c U⊙V]A = 4·acc holds over the integers. Every step here — the
// filter and input transforms, the products and sums in the dot kernel,
// the output transform — is a ring operation, carried out in int16 or
// int32. The int16 values are multiplied in int32, so they must be the
// true integers, not just their residues modulo 2¹⁶: they are, as
// |U| ≤ 2295 and |V| ≤ 1020 (winoFilter, winoInput). int32 arithmetic
// is arithmetic modulo 2³² (Go's and the kernels' alike). So the
// output transform yields 4·acc mod 2³² as an int32. When
// −2²⁹ ≤ acc < 2²⁹ that int32 is 4·acc itself, and the arithmetic shift
// right by 2 returns acc exactly. prepare checks |acc| ≤ 255·Σ|w| < 2²⁹
// per output channel (winoAccBound) and keeps conv2DGemm otherwise. The
// kernel's VPMADDWD (or SMLAL) adds two int16 products in int32; its one
// saturating case needs both factors of both products to be −32768,
// impossible here since |U|, |V| < 32768. Bias, multiplier, zero point
// and clamp then run exactly as in conv2DGemm (intEpilogue, requant16),
// on exactly the same acc.
//
// Layout. The input, plus inputOffset, is copied into an int16 image with
// a zero border wide enough for the last (possibly partial) tile and
// pixels padded to a multiple of 16 channels. Tiles are numbered over
// (batch, tile row, tile column); a block of consecutive tiles is one
// unit of work: its V (per tile, per position, one padded pixel's
// channels) is built in the worker's scratch, then for every group of
// four tiles, channel block and position one dot-kernel call gives M,
// the output transform turns the 16 M of each tile into its 4 sums, and
// requant16 writes the pixels that lie inside the output.
type conv2DWinograd[T quantElem] struct {
	ref            *conv2DQuant[T] // the reference loop, for tests
	n              *Node
	g              convGeometry
	q              convQuant
	epi            intEpilogue
	in, out        *tensor.Tensor
	bias           *tensor.Tensor
	p              *packedInt // U, from packWinograd
	pool           *parallel.Pool
	kp             int // input-channel pairs per position
	pix            int // channels per padded pixel: inC rounded up to 16
	tilesH, tilesW int
	tiles          int // batches·tilesH·tilesW
	blockTiles     int // tiles per block, a multiple of winoTiles
	splitN         int // parts per block (channel-block slices)
	padded         *paddedInput[int16]

	// Per-worker scratch: V of one block, M of one group, its outputs,
	// and a byte tile for partial channel blocks.
	v    []int16 // workers·blockTiles·16·pix
	m    []winoProducts
	y    []winoRows
	part [][2 * winoTiles * simdGroup]byte

	inData  []T // bound by Eval for RunParts
	outData []T
}

// winoBlockBytes is the target size of one block's V: it stays in L2
// while every channel block streams its filter over it.
const winoBlockBytes = 48 << 10

// winogradApplies reports whether geometry g is one Winograd F(2×2, 3×3)
// computes: a 3×3 filter, stride 1, dilation 1 (any padding).
func winogradApplies(g *convGeometry) bool {
	return g.filterH == 3 && g.filterW == 3 && g.strideH == 1 && g.strideW == 1 &&
		g.dilationH == 1 && g.dilationW == 1
}

// winogradWins is the rule, from measurement (BenchmarkConv2DWinograd on
// Zen 1, 2×2 to 32×32 outputs, 1 to 64 channels), for choosing Winograd
// over the im2col GEMM where it applies: it wins when it needs fewer
// multiply-adds, counted as the dot kernels run them — 16 positions of
// ⌈inC/2⌉ pairs per tile, tiles in groups of four, against ⌈9·inC/2⌉
// pairs per output pixel. That is nearly always (by 10-50 %), except for
// tiny images whose one to three tiles still cost a whole group, where
// the GEMM was up to 2× faster; the two rules disagreed only on 3×3
// outputs, within ±5 % on ops of about a microsecond. The transforms'
// cost did not change the picture, even at 1 channel.
func winogradWins(g *convGeometry) bool {
	tiles := g.batches * ((g.outH + 1) / 2) * ((g.outW + 1) / 2)
	wino := (tiles + winoTiles - 1) / winoTiles * winoTiles * 16 * ((g.inC + 1) / 2)
	gemm := g.batches * g.outH * g.outW * ((9*g.inC + 1) / 2)
	return winogradFast && wino < gemm
}

// newConv2DWinograd transforms and packs the filter (once per Model
// through n.Consts) and sizes the scratch. It returns nil when the
// geometry or CPU does not allow it, or when the accumulator bound fails.
func newConv2DWinograd[T quantElem](ref *conv2DQuant[T]) *conv2DWinograd[T] {
	n, g := ref.n, ref.g
	if n.Validating || n.LowMemory || !intSIMD() || !winogradApplies(&g) {
		return nil
	}
	w := dataAs[T](ref.filter)
	if winoAccBound(w, g.outC, 9*g.inC, ref.q.filterOffset) >= winoAccLimit {
		return nil
	}
	p := constCached(n, "conv2d/winograd", func() *packedInt {
		return packWinograd(w, g.outC, g.inC, ref.q.filterOffset)
	})
	o := &conv2DWinograd[T]{
		ref: ref, n: n, g: g, q: ref.q, in: ref.in, out: ref.out, bias: ref.bias, p: p,
		pool: n.Pool, kp: (g.inC + 1) / 2, pix: (g.inC + 15) / 16 * 16,
		tilesH: (g.outH + 1) / 2, tilesW: (g.outW + 1) / 2,
	}
	o.tiles = g.batches * o.tilesH * o.tilesW
	// The image covers every tile's 4×4 input: as many rows and columns as
	// an output of 2·tilesH × 2·tilesW pixels reads.
	pg := g
	pg.outH, pg.outW = 2*o.tilesH, 2*o.tilesW
	pg.inC = o.pix
	o.padded = newPaddedInput(&pg, int16(0))

	tileBytes := 16 * o.pix * 2
	groupsUp := (o.tiles + winoTiles - 1) / winoTiles
	o.blockTiles = winoTiles * min(max(1, winoBlockBytes/(winoTiles*tileBytes)), groupsUp)
	workers := o.pool.Workers()
	if workers > 1 {
		// Several blocks per worker, so that they finish together.
		o.blockTiles = min(o.blockTiles, winoTiles*max(1, groupsUp/(4*workers)))
	}
	blocks := (o.tiles + o.blockTiles - 1) / o.blockTiles
	o.splitN = 1
	if workers > 1 && blocks < 2*workers {
		o.splitN = min(workers, p.groups())
	}
	slots := max(workers, 1)
	o.v = make([]int16, slots*o.blockTiles*16*o.pix)
	o.m = make([]winoProducts, slots)
	o.y = make([]winoRows, slots)
	o.part = make([][2 * winoTiles * simdGroup]byte, slots)
	o.epi = newIntEpilogue(&o.q, p, isUnsigned[T]())
	if ref.bias != nil && len(ref.bias.Data) > 0 && ref.bias.Const {
		o.epi.setBias(ref.bias.Int32())
	}
	return o
}

// Eval checks the bindings, refreshes the padded image, then runs the
// blocks on the pool.
func (o *conv2DWinograd[T]) Eval() error {
	for _, t := range [...]*tensor.Tensor{o.in, o.bias, o.out} {
		if err := checkBound(o.n, t); err != nil {
			return err
		}
	}
	if o.bias != nil && !o.bias.Const {
		// A computed bias is read afresh each run.
		o.epi.setBias(o.bias.Int32())
	}
	o.inData, o.outData = dataAs[T](o.in), dataAs[T](o.out)
	o.fillPadded()
	blocks := (o.tiles + o.blockTiles - 1) / o.blockTiles
	o.pool.Run(o, blocks*o.splitN)
	return nil
}

// fillPadded stores input + inputOffset as int16 into the padded image;
// the border and the channels past inC stay 0 from allocation.
func (o *conv2DWinograd[T]) fillPadded() {
	g, pi := &o.g, o.padded
	off := int16(o.q.inputOffset)
	widen := convWidenSIMD[T]
	rowLen := g.inW * g.inC
	for b := 0; b < g.batches; b++ {
		for y := 0; y < g.inH; y++ {
			src := o.inData[(b*g.inH+y)*rowLen : (b*g.inH+y+1)*rowLen]
			dst := pi.data[pi.at(b, y, 0, o.pix):]
			if o.pix == g.inC {
				widen(dst[:rowLen], src, off)
				continue
			}
			for x := 0; x < g.inW; x++ {
				widen(dst[x*o.pix:x*o.pix+g.inC], src[x*g.inC:(x+1)*g.inC], off)
			}
		}
	}
}

// RunParts computes parts [lo, hi): part = block·splitN + slice, the
// slice choosing a range of channel blocks.
func (o *conv2DWinograd[T]) RunParts(w, lo, hi int) {
	slot := w
	groups := o.p.groups()
	v := o.v[slot*o.blockTiles*16*o.pix:][:o.blockTiles*16*o.pix]
	lastBlock := -1
	for part := lo; part < hi; part++ {
		blk, slice := part/o.splitN, part%o.splitN
		t0 := blk * o.blockTiles
		tiles := min(o.blockTiles, o.tiles-t0)
		if blk != lastBlock {
			o.transformInput(v, t0, tiles)
			lastBlock = blk
		}
		gLo, gHi := slice*groups/o.splitN, (slice+1)*groups/o.splitN
		for grp := gLo; grp < gHi; grp++ {
			for i := 0; i < tiles; i += winoTiles {
				o.group(slot, v[i*16*o.pix:], grp, t0+i, min(winoTiles, tiles-i))
			}
		}
	}
}

// transformInput writes V of tiles [t0, t0+tiles) into v, one call per
// run of tiles in the same tile row. Rows of v past the last tile, read
// by the last group's dot call, hold stale but bounded values whose
// outputs are never stored.
func (o *conv2DWinograd[T]) transformInput(v []int16, t0, tiles int) {
	pi := o.padded
	rowStride := pi.w * o.pix
	for i := 0; i < tiles; {
		b, ty, tx := o.tileAt(t0 + i)
		run := min(tiles-i, o.tilesW-tx)
		src := pi.data[pi.at(b, 2*ty-o.g.padH, 2*tx-o.g.padW, o.pix):]
		winoInputSIMD(src, rowStride, o.pix, v[i*16*o.pix:], run)
		i += run
	}
}

// tileAt returns the batch, tile row and tile column of tile t.
func (o *conv2DWinograd[T]) tileAt(t int) (b, ty, tx int) {
	plane := o.tilesH * o.tilesW
	b, t = t/plane, t%plane
	return b, t / o.tilesW, t % o.tilesW
}

// group computes channel block grp of the tiles tiles (1 to winoTiles)
// starting at tile t0, whose V rows start at v, and stores their pixels.
func (o *conv2DWinograd[T]) group(slot int, v []int16, grp, t0, tiles int) {
	m, y := &o.m[slot], &o.y[slot]
	winoDot(v, 16*o.pix, o.p, o.kp, grp, m)
	winoOutputSIMD(m, y)
	for i := 0; i < tiles; {
		b, ty, tx := o.tileAt(t0 + i)
		run := min(tiles-i, o.tilesW-tx)
		cols := min(2*run, o.g.outW-2*tx)
		for dy := 0; dy < 2 && 2*ty+dy < o.g.outH; dy++ {
			pixel := (b*o.g.outH+2*ty+dy)*o.g.outW + 2*tx
			o.store(slot, &y[dy][2*i], cols, grp, pixel)
		}
		i += run
	}
}

// store requantizes rows consecutive output pixels of channel block grp
// from acc (16 sums per pixel) into the output from pixel on. A partial
// last block goes through a byte tile so only the live channels are
// written.
func (o *conv2DWinograd[T]) store(slot int, acc *[simdGroup]int32, rows, grp, pixel int) {
	n := o.g.outC
	c0 := grp * simdGroup
	e := &o.epi
	if c0+simdGroup <= n {
		dst := o.outData[pixel*n+c0:]
		_ = dst[(rows-1)*n+simdGroup-1]
		requant16(&acc[0], rows, &e.blocks[grp], 0, (*byte)(unsafe.Pointer(&dst[0])), uintptr(n), &e.rc)
		return
	}
	part := &o.part[slot]
	requant16(&acc[0], rows, &e.blocks[grp], 0, &part[0], simdGroup, &e.rc)
	for r := 0; r < rows; r++ {
		copyBytes(o.outData[(pixel+r)*n+c0:(pixel+r+1)*n], part[r*simdGroup:])
	}
}

// reference returns the plain loop this kernel must match bit for bit.
func (o *conv2DWinograd[T]) reference() Op { return o.ref }
