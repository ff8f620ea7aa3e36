VELOCITY_LIMIT_PER_CARD_PER_HOUR = 5


def velocity_exceeded(attempts_last_hour: int) -> bool:
    return attempts_last_hour > VELOCITY_LIMIT_PER_CARD_PER_HOUR
