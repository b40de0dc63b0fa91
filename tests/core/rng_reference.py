"""Independent reference for core/random.h: SplitMix64 seeding + xoshiro256**.
Prints the first draws of Rng(1234, {7}); tests/core/random_test.cpp pins them."""
M = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return x, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def rng(seed, streams):
    mix = seed
    for s in streams:
        tmp = mix ^ ((s + 0x632BE59BD9B4E019) & M)
        _, mix = splitmix64(tmp)
    state = []
    for _ in range(4):
        mix, out = splitmix64(mix)
        state.append(out)
    while True:
        result = (rotl((state[1] * 5) & M, 7) * 9) & M
        t = (state[1] << 17) & M
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        yield result


if __name__ == "__main__":
    g = rng(1234, [7])
    print([hex(next(g)) for _ in range(3)])
