import factory

from topics.models import Topic


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Temática {n}")
    description = "Consultas de prueba."

    @factory.post_generation
    def operators(self, create, extracted, **kwargs):
        if create and extracted:
            self.operators.add(*extracted)
