module gameday.dev/sandbox/shop

go 1.24
