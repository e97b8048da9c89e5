"""The unit's side: its figures ("Så säger våra patienter"), its leader role, and the list of
patients who need a contract. Reads other areas through their services only."""
