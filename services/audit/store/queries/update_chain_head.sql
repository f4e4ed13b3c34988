UPDATE chain_head SET sequence = $1, hash = $2
