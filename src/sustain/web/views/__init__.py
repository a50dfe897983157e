"""Server-rendered pages. Every read goes through the scoped querysets of the domain apps'
permissions modules; every write through their services."""
