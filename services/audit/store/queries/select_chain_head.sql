SELECT sequence, hash FROM chain_head
