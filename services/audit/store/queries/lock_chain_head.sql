-- The head of the chain, locked until the appending transaction ends: appends serialize here.
SELECT sequence, hash FROM chain_head FOR UPDATE
