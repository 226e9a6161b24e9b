"""Sizes on the command line of the generators: 500K, 20M, 1G, or a number of bytes."""


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text)


def size_and_seed_arguments(doc):
    """The --bytes and --seed every generator takes, with its docstring as the help."""
    import argparse
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bytes", type=parse_size, default=parse_size("20M"), help="stop near this size (K, M, G)")
    parser.add_argument("--seed", type=int, default=1)
    return parser
