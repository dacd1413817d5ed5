"""The SimEx paper's baselines: LeNet-5 retraining (Table 1), leave-one-class-out confusion
(Table 2) and how SimEx orderings settle against them over epochs (Fig. 6a)."""
