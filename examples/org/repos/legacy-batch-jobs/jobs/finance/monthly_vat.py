"""Monthly VAT summary e-mailed to finance."""


def main() -> None:
    print("building VAT summary")


if __name__ == "__main__":
    main()
