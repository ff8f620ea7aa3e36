"""Nightly merchant risk scoring (experimental)."""


def main() -> None:
    print("scoring merchants")


if __name__ == "__main__":
    main()
