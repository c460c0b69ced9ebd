pub struct StateMachine;
