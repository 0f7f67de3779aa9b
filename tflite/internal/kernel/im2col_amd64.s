#include "textflag.h"

// func im2colCopy(dst *byte, lda uintptr, src *byte, pxStep, tapStep uintptr, segs, segBytes, n, tail int)
//
// Writes n im2col rows lda bytes apart: row i is segs runs of segBytes
// bytes, run s copied from src + i·pxStep + s·tapStep, followed by tail
// zero bytes. Runs are copied with 16-byte moves, the last one
// overlapping the one before (shorter runs with 8-, 4- and 1-byte moves),
// so a short run costs a few instructions instead of a memmove call.
TEXT ·im2colCopy(SB), NOSPLIT, $0-72
	MOVQ  dst+0(FP), DI
	MOVQ  lda+8(FP), R8
	MOVQ  src+16(FP), SI
	MOVQ  pxStep+24(FP), R9
	MOVQ  tapStep+32(FP), R10
	MOVQ  segs+40(FP), R11
	MOVQ  segBytes+48(FP), R12
	MOVQ  n+56(FP), CX
	MOVQ  tail+64(FP), R13
	TESTQ CX, CX
	JZ    done
	TESTQ R12, R12
	JZ    done

pixel:
	MOVQ DI, AX
	MOVQ SI, BX
	MOVQ R11, DX

seg:
	CMPQ R12, $16
	JLT  small
	XORQ R14, R14

big:
	LEAQ  16(R14), R15
	CMPQ  R15, R12
	JGT   bigtail
	MOVOU (BX)(R14*1), X0
	MOVOU X0, (AX)(R14*1)
	MOVQ  R15, R14
	JMP   big

bigtail:
	CMPQ  R14, R12
	JEQ   segdone
	LEAQ  -16(R12), R14
	MOVOU (BX)(R14*1), X0
	MOVOU X0, (AX)(R14*1)
	JMP   segdone

small:
	CMPQ R12, $8
	JLT  small4
	MOVQ (BX), R15
	MOVQ R15, (AX)
	MOVQ -8(BX)(R12*1), R15
	MOVQ R15, -8(AX)(R12*1)
	JMP  segdone

small4:
	CMPQ R12, $4
	JLT  small1
	MOVL (BX), R15
	MOVL R15, (AX)
	MOVL -4(BX)(R12*1), R15
	MOVL R15, -4(AX)(R12*1)
	JMP  segdone

small1:
	XORQ R14, R14

small1loop:
	MOVB (BX)(R14*1), R15
	MOVB R15, (AX)(R14*1)
	INCQ R14
	CMPQ R14, R12
	JLT  small1loop

segdone:
	ADDQ R12, AX
	ADDQ R10, BX
	DECQ DX
	JNZ  seg
	MOVQ R13, DX
	TESTQ DX, DX
	JZ   next

zero:
	MOVB $0, (AX)
	INCQ AX
	DECQ DX
	JNZ  zero

next:
	ADDQ R8, DI
	ADDQ R9, SI
	DECQ CX
	JNZ  pixel

done:
	RET
