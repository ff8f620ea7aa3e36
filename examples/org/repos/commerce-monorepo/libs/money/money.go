package money

// Amount is an amount of money in minor units.
type Amount struct {
	Minor    int64
	Currency string
}
