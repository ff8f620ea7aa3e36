"""Download PSP settlement reports and store them for the ledger reconciler."""
import datetime


def main() -> None:
    day = datetime.date.today() - datetime.timedelta(days=1)
    print(f"fetching settlement reports for {day}")


if __name__ == "__main__":
    main()
