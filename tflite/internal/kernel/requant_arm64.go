package kernel

// requant16 requantizes rows rows of 16 sums (stride 16) into 16 bytes
// per row, ldo bytes apart, row r with the block blkStride·r bytes after
// blk; see requant_arm64.s.
//
//go:noescape
func requant16(acc *int32, rows int, blk *rqBlock, blkStride uintptr, out *byte, ldo uintptr, c *rqConsts)
