"""The pieces of the kubernetes target (stackgen.targets.kubernetes): objects built as data from
the stack and the plain files, and the offline checks they are held to."""
