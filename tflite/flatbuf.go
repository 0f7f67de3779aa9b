package tflite

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The generated flatbuffer accessors trust every offset in the file, so a
// corrupt model would make them read out of range. The loader reads the
// model through fbReader instead, which checks every table, vector and
// field against the buffer before touching it, and only then hands a
// verified Operator table to the kernels.

// maxFileSize keeps every offset computation inside uint32 and int32, the
// widths the generated accessors use.
const maxFileSize = math.MaxInt32

// fbReader reads flatbuffer tables with bounds checks.
type fbReader struct {
	buf []byte
	// budget limits how many vector elements the loader copies in total.
	// Well-formed files reference each vector once, so this stays below
	// the file size; a hostile file that points many tables at one large
	// vector runs out instead of costing quadratic time.
	budget int
}

// fbTable is a verified table: its vtable and inline fields lie inside the
// buffer.
type fbTable struct {
	r     *fbReader
	pos   uint32 // start of the table
	vt    uint32 // start of its vtable
	vtLen uint32 // vtable length in bytes
	tLen  uint32 // table (inline part) length in bytes
}

// fbVector is a verified vector: n elements of elem bytes from start.
type fbVector struct {
	r     *fbReader
	start uint32
	n     int
}

func newFBReader(buf []byte) *fbReader {
	return &fbReader{buf: buf, budget: len(buf) + 4096}
}

func (r *fbReader) errorf(what, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidModel, what, fmt.Sprintf(format, args...))
}

func (r *fbReader) u16(at uint32) uint16 { return binary.LittleEndian.Uint16(r.buf[at:]) }
func (r *fbReader) u32(at uint32) uint32 { return binary.LittleEndian.Uint32(r.buf[at:]) }

// inRange reports whether [at, at+size) lies inside the buffer.
func (r *fbReader) inRange(at, size uint64) bool {
	return at <= uint64(len(r.buf)) && size <= uint64(len(r.buf))-at
}

// spend charges n copied elements against the budget.
func (r *fbReader) spend(n int, what string) error {
	if n > r.budget {
		return r.errorf(what, "model references more vector data than the file holds (%d elements)", n)
	}
	r.budget -= n
	return nil
}

// root returns the root table after checking the file identifier.
func (r *fbReader) root(ident string) (fbTable, error) {
	if len(r.buf) < 8 {
		return fbTable{}, r.errorf("file", "%d bytes is too short for a flatbuffer (need at least 8)", len(r.buf))
	}
	if len(r.buf) > maxFileSize {
		return fbTable{}, r.errorf("file", "%d bytes exceeds the flatbuffer limit of %d", len(r.buf), maxFileSize)
	}
	if got := string(r.buf[4:8]); got != ident {
		return fbTable{}, r.errorf("file", "identifier %q, want %q (not a TFLite model)", got, ident)
	}
	return r.tableAt(uint64(r.u32(0)), "root table")
}

// tableAt verifies the table starting at pos.
func (r *fbReader) tableAt(pos uint64, what string) (fbTable, error) {
	if !r.inRange(pos, 4) {
		return fbTable{}, r.errorf(what, "table offset %d outside the %d-byte file", pos, len(r.buf))
	}
	soff := int64(int32(r.u32(uint32(pos))))
	vt := int64(pos) - soff
	if vt < 0 || !r.inRange(uint64(vt), 4) {
		return fbTable{}, r.errorf(what, "vtable offset %d outside the %d-byte file", vt, len(r.buf))
	}
	vtLen := uint32(r.u16(uint32(vt)))
	tLen := uint32(r.u16(uint32(vt) + 2))
	if vtLen < 4 || vtLen%2 != 0 || !r.inRange(uint64(vt), uint64(vtLen)) {
		return fbTable{}, r.errorf(what, "vtable length %d invalid or outside the file", vtLen)
	}
	if tLen < 4 || !r.inRange(pos, uint64(tLen)) {
		return fbTable{}, r.errorf(what, "table length %d invalid or outside the file", tLen)
	}
	return fbTable{r: r, pos: uint32(pos), vt: uint32(vt), vtLen: vtLen, tLen: tLen}, nil
}

// field returns the offset of field id inside the table, 0 when absent.
func (t fbTable) field(id int) uint32 {
	slot := 4 + 2*uint32(id)
	if slot+2 > t.vtLen {
		return 0
	}
	return uint32(t.r.u16(t.vt + slot))
}

// scalarAt checks that a size-byte field id fits the table and returns its
// absolute position (0, false when absent).
func (t fbTable) scalarAt(id int, size uint32, what string) (uint32, bool, error) {
	o := t.field(id)
	if o == 0 {
		return 0, false, nil
	}
	if o < 4 || o+size > t.tLen {
		return 0, false, t.r.errorf(what, "field %d at offset %d (%d bytes) outside the %d-byte table", id, o, size, t.tLen)
	}
	return t.pos + o, true, nil
}

func (t fbTable) uint8Field(id int, def uint8, what string) (uint8, error) {
	at, ok, err := t.scalarAt(id, 1, what)
	if !ok || err != nil {
		return def, err
	}
	return t.r.buf[at], nil
}

func (t fbTable) int8Field(id int, def int8, what string) (int8, error) {
	v, err := t.uint8Field(id, uint8(def), what)
	return int8(v), err
}

func (t fbTable) boolField(id int, what string) (bool, error) {
	v, err := t.uint8Field(id, 0, what)
	return v != 0, err
}

func (t fbTable) uint32Field(id int, def uint32, what string) (uint32, error) {
	at, ok, err := t.scalarAt(id, 4, what)
	if !ok || err != nil {
		return def, err
	}
	return t.r.u32(at), nil
}

func (t fbTable) int32Field(id int, def int32, what string) (int32, error) {
	v, err := t.uint32Field(id, uint32(def), what)
	return int32(v), err
}

func (t fbTable) uint64Field(id int, def uint64, what string) (uint64, error) {
	at, ok, err := t.scalarAt(id, 8, what)
	if !ok || err != nil {
		return def, err
	}
	return binary.LittleEndian.Uint64(t.r.buf[at:]), nil
}

// target follows the offset stored in field id (0, false when absent).
func (t fbTable) target(id int, what string) (uint64, bool, error) {
	at, ok, err := t.scalarAt(id, 4, what)
	if !ok || err != nil {
		return 0, false, err
	}
	dst := uint64(at) + uint64(t.r.u32(at))
	if dst >= uint64(len(t.r.buf)) {
		return 0, false, t.r.errorf(what, "field %d points to %d, outside the %d-byte file", id, dst, len(t.r.buf))
	}
	return dst, true, nil
}

// table returns the sub-table in field id.
func (t fbTable) table(id int, what string) (fbTable, bool, error) {
	dst, ok, err := t.target(id, what)
	if !ok || err != nil {
		return fbTable{}, false, err
	}
	sub, err := t.r.tableAt(dst, what)
	return sub, err == nil, err
}

// vector returns the vector of elem-byte elements in field id.
func (t fbTable) vector(id int, elem uint64, what string) (fbVector, error) {
	dst, ok, err := t.target(id, what)
	if !ok || err != nil {
		return fbVector{r: t.r}, err
	}
	if !t.r.inRange(dst, 4) {
		return fbVector{r: t.r}, t.r.errorf(what, "vector length at %d outside the %d-byte file", dst, len(t.r.buf))
	}
	n := uint64(t.r.u32(uint32(dst)))
	if !t.r.inRange(dst+4, n*elem) {
		return fbVector{r: t.r}, t.r.errorf(what, "vector of %d elements at %d runs past the %d-byte file", n, dst, len(t.r.buf))
	}
	return fbVector{r: t.r, start: uint32(dst) + 4, n: int(n)}, nil
}

// bytes returns the byte vector in field id without copying.
func (t fbTable) bytes(id int, what string) ([]byte, error) {
	v, err := t.vector(id, 1, what)
	if err != nil || v.n == 0 {
		return nil, err
	}
	return t.r.buf[v.start : v.start+uint32(v.n) : v.start+uint32(v.n)], nil
}

// str returns the string in field id.
func (t fbTable) str(id int, what string) (string, error) {
	b, err := t.bytes(id, what)
	if err != nil {
		return "", err
	}
	if err := t.r.spend(len(b), what); err != nil {
		return "", err
	}
	return string(b), nil
}

// int32s copies the int32 vector in field id (nil when absent).
func (t fbTable) int32s(id int, what string) ([]int32, error) {
	v, err := t.vector(id, 4, what)
	if err != nil || v.n == 0 {
		return nil, err
	}
	if err := t.r.spend(v.n, what); err != nil {
		return nil, err
	}
	out := make([]int32, v.n)
	for i := range out {
		out[i] = int32(t.r.u32(v.start + 4*uint32(i)))
	}
	return out, nil
}

// float32s copies the float32 vector in field id.
func (t fbTable) float32s(id int, what string) ([]float32, error) {
	v, err := t.vector(id, 4, what)
	if err != nil || v.n == 0 {
		return nil, err
	}
	if err := t.r.spend(v.n, what); err != nil {
		return nil, err
	}
	out := make([]float32, v.n)
	for i := range out {
		out[i] = math.Float32frombits(t.r.u32(v.start + 4*uint32(i)))
	}
	return out, nil
}

// int64s copies the int64 vector in field id.
func (t fbTable) int64s(id int, what string) ([]int64, error) {
	v, err := t.vector(id, 8, what)
	if err != nil || v.n == 0 {
		return nil, err
	}
	if err := t.r.spend(v.n, what); err != nil {
		return nil, err
	}
	out := make([]int64, v.n)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(t.r.buf[v.start+8*uint32(i):]))
	}
	return out, nil
}

// tables returns the vector of tables in field id; read each with at.
func (t fbTable) tables(id int, what string) (fbVector, error) {
	v, err := t.vector(id, 4, what)
	if err != nil {
		return v, err
	}
	return v, t.r.spend(v.n, what)
}

// at verifies and returns table i of a vector of tables.
func (v fbVector) at(i int, what string) (fbTable, error) {
	slot := v.start + 4*uint32(i)
	return v.r.tableAt(uint64(slot)+uint64(v.r.u32(slot)), what)
}

// checkFieldsWithin verifies that every field the table declares can be
// read as a value of up to maxSize bytes without leaving the buffer. Used
// for builtin options tables, whose exact layout depends on the option
// type and which the kernels read through the generated accessors.
func (t fbTable) checkFieldsWithin(maxSize uint64, what string) error {
	for slot := uint32(4); slot+2 <= t.vtLen; slot += 2 {
		o := uint32(t.r.u16(t.vt + slot))
		if o == 0 {
			continue
		}
		if o < 4 || o >= t.tLen || !t.r.inRange(uint64(t.pos)+uint64(o), maxSize) {
			return t.r.errorf(what, "field %d at offset %d outside the %d-byte table", (slot-4)/2, o, t.tLen)
		}
	}
	return nil
}
