from reportkit.warm import main

main()
