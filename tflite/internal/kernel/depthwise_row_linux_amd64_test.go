package kernel

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"
)

// TestSIMDDepthwiseRowTail places the row's last tap at the very end of a
// readable page, followed by an inaccessible one: a kernel that loaded
// past the last channel of its last pixel would fault.
func TestSIMDDepthwiseRowTail(t *testing.T) {
	skipNoSIMD(t)
	page := syscall.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 2*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skip("mmap:", err)
	}
	defer syscall.Munmap(mem)
	if err := syscall.Mprotect(mem[page:], syscall.PROT_NONE); err != nil {
		t.Skip("mprotect:", err)
	}
	r := rand.New(rand.NewPCG(28, 1))
	for _, C := range []int{8, 16, 24, 40} {
		for _, unsigned := range []bool{false, true} {
			k := newDWRowCase(r, C, unsigned)
			if len(k.raw) > page {
				k.pixels, k.sx, k.dx, k.p = 2, C, C, 0
				k.dy = 5 * C
				k.raw = k.raw[:k.sx+2*k.dy+2*k.dx+C]
			}
			raw := mem[page-len(k.raw) : page]
			copy(raw, k.raw)
			k.raw = raw
			var got, want []byte
			if unsigned {
				got = runDWRow(t, k, raw, false)
				want = k.want(func(i int) int32 { return int32(raw[i]) })
			} else {
				s8 := unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw))
				got = runDWRow(t, k, s8, false)
				want = k.want(func(i int) int32 { return int32(s8[i]) })
			}
			if string(got) != string(want) {
				t.Fatalf("C %d unsigned %v: row differs from the scalar loop", C, unsigned)
			}
		}
	}
}
