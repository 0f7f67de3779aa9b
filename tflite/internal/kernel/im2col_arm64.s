#include "textflag.h"

// func im2colCopy(dst *byte, lda uintptr, src *byte, pxStep, tapStep uintptr, segs, segBytes, n, tail int)
//
// The NEON-register counterpart of im2col_amd64.s, same arguments and
// result: writes n im2col rows lda bytes apart: row i is segs runs of
// segBytes bytes, run s copied from src + i·pxStep + s·tapStep, followed
// by tail zero bytes. Runs are copied with 16-byte moves (LDR/STR Q), the
// last one overlapping the one before (shorter runs with 8-, 4- and
// 1-byte moves), so a short run costs a few instructions instead of a
// memmove call. Pure moves: the bytes land unchanged whatever the element
// type.
//
// Registers: R0 dst row, R1 lda, R2 src row, R3 pxStep, R4 tapStep, R5
// segs, R6 segBytes, R7 rows left, R8 tail, R9 dst run, R10 src run, R11
// runs left, R12 offset in the run, R13-R15 scratch.
TEXT ·im2colCopy(SB), NOSPLIT, $0-72
	MOVD dst+0(FP), R0
	MOVD lda+8(FP), R1
	MOVD src+16(FP), R2
	MOVD pxStep+24(FP), R3
	MOVD tapStep+32(FP), R4
	MOVD segs+40(FP), R5
	MOVD segBytes+48(FP), R6
	MOVD n+56(FP), R7
	MOVD tail+64(FP), R8
	CBZ  R7, done
	CBZ  R6, done
	CBZ  R5, done

pixel:
	MOVD R0, R9
	MOVD R2, R10
	MOVD R5, R11

seg:
	CMP  $16, R6
	BLT  small
	MOVD $0, R12

big:
	ADD   $16, R12, R13
	CMP   R6, R13
	BGT   bigtail
	ADD   R10, R12, R14
	ADD   R9, R12, R15
	FMOVQ (R14), F0
	FMOVQ F0, (R15)
	MOVD  R13, R12
	B     big

bigtail:
	CMP   R6, R12
	BEQ   segdone
	SUB   $16, R6, R12
	ADD   R10, R12, R14
	ADD   R9, R12, R15
	FMOVQ (R14), F0
	FMOVQ F0, (R15)
	B     segdone

small:
	CMP  $8, R6
	BLT  small4
	ADD  R10, R6, R14
	ADD  R9, R6, R15
	MOVD (R10), R13
	MOVD R13, (R9)
	MOVD -8(R14), R13
	MOVD R13, -8(R15)
	B    segdone

small4:
	CMP   $4, R6
	BLT   small1
	ADD   R10, R6, R14
	ADD   R9, R6, R15
	MOVWU (R10), R13
	MOVW  R13, (R9)
	MOVWU -4(R14), R13
	MOVW  R13, -4(R15)
	B     segdone

small1:
	MOVD $0, R12

small1loop:
	MOVBU (R10)(R12), R13
	MOVB  R13, (R9)(R12)
	ADD   $1, R12
	CMP   R6, R12
	BLT   small1loop

segdone:
	ADD  R6, R9
	ADD  R4, R10
	SUBS $1, R11, R11
	BNE  seg
	CBZ  R8, next
	MOVD R8, R11

zero:
	MOVB.P ZR, 1(R9)
	SUBS   $1, R11, R11
	BNE    zero

next:
	ADD  R1, R0
	ADD  R3, R2
	SUBS $1, R7, R7
	BNE  pixel

done:
	RET
